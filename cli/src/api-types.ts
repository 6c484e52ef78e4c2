/** The fields of Platform API (v3) objects the CLI reads; everything else passes through to --json. */

export interface App {
  id: string;
  name: string;
  git_url: string;
  web_url: string;
  owner: { email: string };
  region: { name: string };
  stack: { name: string };
  maintenance: boolean;
  slug_size: number | null;
  created_at: string;
  released_at: string | null;
}

export interface Release {
  id: string;
  version: number;
  description: string;
  status: string;
  current: boolean;
  created_at: string;
  user: { email: string };
  slug: { id: string } | null;
}

export interface Formation {
  type: string;
  quantity: number;
  size: string;
  command: string;
}

export interface Dyno {
  id: string;
  name: string;
  type: string;
  command: string;
  size: string;
  state: string;
  updated_at: string;
  release: { version: number } | null;
  attach_url: string | null;
}

export interface Build {
  id: string;
  status: string;
  created_at: string;
  user: { email: string };
  source_blob: { version: string | null };
  failure_reason?: string | null;
  output_stream_url: string | null;
}

export interface Domain {
  id: string;
  hostname: string;
  kind: string;
  cname: string | null;
  status: string;
}

export interface Account {
  id: string;
  email: string;
}

export interface Authorization {
  id: string;
  access_token: { id: string; token: string | null } | null;
}

export interface LogSession {
  logplex_url: string;
}
