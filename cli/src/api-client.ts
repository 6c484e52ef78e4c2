import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { CliError } from './errors.js';

/** One answer of the Platform API: status, headers and the parsed JSON body. */
export interface ApiResponse<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

const ACCEPT = 'application/vnd.heroku+json; version=3';

/** Heroku's error body: `{"id": "not_found", "message": "..."}`. */
interface ErrorBody {
  id?: string;
  message?: string;
}

/**
 * The Platform API over HTTP(S), Heroku v3 shapes: JSON in and out, Bearer token, Range paging.
 * Every failure becomes a one-line CliError that says what to do.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: () => string,
    /** PEM certificates trusted besides the system's (the platform CA). */
    private readonly extraCa: string[] = [],
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path).then((r) => r.body);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body).then((r) => r.body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body).then((r) => r.body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path).then((r) => r.body);
  }

  /** Every item of a listing, following Heroku's Next-Range headers across 206 pages. */
  async list<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let range: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const r = await this.call<T[]>('GET', path, undefined, range ? { range } : {});
      items.push(...r.body);
      const next = r.headers['next-range'];
      if (r.status !== 206 || typeof next !== 'string' || next === range) return items;
      range = next;
    }
    return items;
  }

  /** One request with the token; an error status throws a CliError with the API's message and a hint. */
  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const url = `${this.baseUrl}${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.send(method, url, {
      accept: ACCEPT, authorization: `Bearer ${this.token()}`, 'user-agent': 'paas-cli',
      ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
      ...headers,
    }, payload);
    const text = await readAll(res);
    const parsed = parseJson(text);
    if (res.statusCode! >= 400) throw apiError(res.statusCode!, parsed as ErrorBody | undefined, method, path);
    return { status: res.statusCode!, headers: res.headers, body: parsed as T };
  }

  /** Opens a long response (a log stream): resolves once headers arrive; the caller reads the body. */
  async open(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
    const res = await this.send('GET', url, { 'user-agent': 'paas-cli', ...headers }, undefined, signal);
    if (res.statusCode! >= 400) {
      const parsed = parseJson(await readAll(res)) as ErrorBody | undefined;
      throw apiError(res.statusCode!, parsed, 'GET', new URL(url).pathname);
    }
    return res;
  }

  /** The TLS trust for https:// and the rendezvous: the system's roots plus the platform CA when found. */
  get ca(): string[] | undefined {
    return this.extraCa.length ? [...rootCertificates, ...this.extraCa] : undefined;
  }

  private send(method: string, url: string, headers: Record<string, string>, payload?: string, signal?: AbortSignal): Promise<IncomingMessage> {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(u, { method, headers, signal, ...(u.protocol === 'https:' && this.ca ? { ca: this.ca } : {}) }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') return reject(err);
        reject(new CliError(unreachable(u, err)));
      });
      req.end(payload);
    });
  }
}

/** Says which URL could not be reached and what to check. */
export function unreachable(url: URL, err: NodeJS.ErrnoException): string {
  const why = err.code ?? err.message;
  const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(why)
    ? 'trust the platform CA with NODE_EXTRA_CA_CERTS=<PAAS_DATA_DIR>/tls/ca.pem'
    : 'is the platform running (`npm start`)? Set PAAS_API_URL to its address';
  return `cannot reach the Platform API at ${url.origin} (${why}): ${hint}`;
}

/** A one-line error for an API error answer, with what to do next where we know it. */
export function apiError(status: number, body: ErrorBody | undefined, method: string, path: string): CliError {
  const message = body?.message?.trim() || `${method} ${path} answered HTTP ${status}`;
  if (status === 401) return new CliError(`${message.replace(/\.$/, '')}. Log in with \`paas login\` or set PAAS_API_KEY.`);
  // The app itself is missing (whichever of its resources was asked for first: apps:info asks for three at once).
  if (status === 404 && /^\/apps\/[^/]+(\/|$)/.test(path) && body?.id === 'not_found' && /\bthat app\b/i.test(message)) {
    return new CliError(`${message.replace(/\.$/, '')}. List your apps with \`paas apps\`.`);
  }
  return new CliError(message);
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
