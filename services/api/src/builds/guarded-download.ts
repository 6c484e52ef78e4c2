import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { invalid } from '@paas/contracts';
import { pinnedLookup } from '../net/pinned-lookup.js';

/** How many redirects a download follows; each hop is checked like the first URL. */
const MAX_REDIRECTS = 5;

/**
 * GETs a user-given URL the way the address guard allows: every hop (the URL and each redirect)
 * is checked first, and the connection goes to the address the check resolved (so a name that
 * resolves differently a moment later cannot lead anywhere else). Answers the final response,
 * whatever its status; its body is the caller's to read.
 */
export async function guardedGet(first: URL, check: (url: URL) => Promise<{ address: string }>, signal: AbortSignal, field = 'source_blob.url'): Promise<IncomingMessage> {
  let url = first;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`${field} must lead to an http(s) URL; ${hop ? 'a redirect led' : 'it is'} ${url.protocol.slice(0, -1)}.`);
    const { address } = await check(url);
    const res = await get(url, address, signal);
    const location = res.headers.location;
    if (!location || res.statusCode === undefined || res.statusCode < 300 || res.statusCode > 399 || res.statusCode === 304) return res;
    res.resume();
    if (hop === MAX_REDIRECTS) throw invalid(`${field} redirected more than ${MAX_REDIRECTS} times.`);
    url = new URL(location, url);
  }
}

function get(url: URL, address: string, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { signal, lookup: pinnedLookup(address) }, resolve);
    req.once('error', reject);
    req.end();
  });
}
