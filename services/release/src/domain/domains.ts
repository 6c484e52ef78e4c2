import { conflict, invalid, notFound } from '@paas/contracts';
import type { AppEvent, AppState } from './app-state.js';

const MAX_HOSTNAME = 253;
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9-]+$/;

/** A hostname as stored: lowercase, without the trailing dot of a fully qualified name. */
export function normalizeHostname(raw: string): string {
  return raw.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Why a (normalized) hostname cannot be a custom domain, or null when it can. Heroku's rules:
 * letters, digits, dashes and dots; labels of 1-63 characters; at most 253 in all; at least two
 * labels; an optional leading `*.` wildcard; no IP addresses (dynos are reached by name).
 */
export function hostnameProblem(hostname: string): string | null {
  if (hostname === '') return 'it is empty';
  if (hostname.length > MAX_HOSTNAME) return `it is ${hostname.length} characters long, at most ${MAX_HOSTNAME} are allowed`;
  if (hostname.includes(':')) return 'an IP address or a port cannot be a domain: give the hostname only, as in www.example.com';
  const wildcard = hostname.startsWith('*.');
  const labels = (wildcard ? hostname.slice(2) : hostname).split('.');
  if (labels.some((l) => l.includes('*'))) return 'a wildcard is only allowed as the whole first label, as in *.example.com';
  if (labels.length < 2) return 'it needs at least two labels, as in example.com';
  for (const label of labels) {
    if (label === '') return 'it has an empty label (two dots in a row, or a leading dot)';
    if (label.length > MAX_LABEL) return `its label "${label.slice(0, 20)}..." is ${label.length} characters long, at most ${MAX_LABEL} are allowed`;
    if (!LABEL.test(label)) return `its label "${label}" may only contain letters, digits and dashes`;
    if (label.startsWith('-') || label.endsWith('-')) return `its label "${label}" must not start or end with a dash`;
  }
  // A numeric last label is an IPv4 address (or no real top-level domain).
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'an IP address cannot be a domain: use a hostname that points to the app';
  return null;
}

/** Adds a custom domain to the app; no release follows, as on Heroku. */
export function addDomain(raw: string, by: string, state: AppState): AppEvent[] {
  const hostname = normalizeHostname(raw);
  const problem = hostnameProblem(hostname);
  if (problem) throw invalid(`Hostname "${raw}" is invalid: ${problem}.`);
  if (state.domains.includes(hostname)) throw conflict('Domain already added to this app.');
  return [{ type: 'DomainAdded', data: { appName: state.name, hostname, kind: 'custom', by } }];
}

/** Removes one of the app's custom domains; the hostname is free for any app afterwards. */
export function removeDomain(raw: string, by: string, state: AppState): AppEvent[] {
  const hostname = normalizeHostname(raw);
  if (!state.domains.includes(hostname)) throw notFound("Couldn't find that domain.");
  return [{ type: 'DomainRemoved', data: { appName: state.name, hostname, by } }];
}
