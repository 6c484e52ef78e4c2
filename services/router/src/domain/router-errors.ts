/** Heroku's router error codes this router emits, with the status and description Heroku logs. */
export const ROUTER_ERRORS = {
  H10: { status: 503, desc: 'App crashed' },
  H12: { status: 503, desc: 'Request timeout' },
  H13: { status: 503, desc: 'Connection closed without response' },
  H14: { status: 503, desc: 'No web processes running' },
  H15: { status: 503, desc: 'Idle connection' },
  H18: { status: 503, desc: 'Server Request Interrupted' },
  H19: { status: 503, desc: 'Backend connection timeout' },
  H21: { status: 503, desc: 'Backend connection refused' },
  H25: { status: 400, desc: 'HTTP Restriction' },
  H27: { status: 499, desc: 'Client Request Interrupted' },
  H80: { status: 503, desc: 'Maintenance mode' },
} as const;
export type RouterErrorCode = keyof typeof ROUTER_ERRORS;

/** A page the router answers with itself (no dyno involved). */
export interface RouterPage {
  status: number;
  contentType: string;
  body: string;
}

/** The answer for a Host that names no app on this platform. */
export function noSuchAppPage(host: string): RouterPage {
  return html(404, 'No such app', `<p>There is no app at <code>${escapeHtml(host)}</code>.</p>`);
}

/** Heroku's "Application Error" page for a router error, naming the code so the owner can find it in the logs. */
export function errorPage(code: RouterErrorCode, requestId: string): RouterPage {
  const { status, desc } = ROUTER_ERRORS[code];
  if (code === 'H80') {
    return html(status, 'Offline for Maintenance', '<p>This app is in maintenance mode; please check back soon.</p>');
  }
  return html(status, 'Application Error', [
    '<p>An error occurred in the application and your page could not be served.</p>',
    `<p>${code}: ${desc}. If you are the application owner, check your logs for details: <code>paas logs --tail</code></p>`,
    `<p>Request id: <code>${escapeHtml(requestId)}</code></p>`,
  ].join('\n'));
}

/** The answer for a request the router cannot parse as meant for one app. */
export function badRequestPage(reason: string): RouterPage {
  return html(400, 'Bad Request', `<p>${escapeHtml(reason)}</p>`);
}

/** The answer for a request over one of the router's size limits (414 or 431). */
export function restrictionPage(status: number, reason: string): RouterPage {
  return html(status, status === 414 ? 'URI Too Long' : 'Request Header Fields Too Large', `<p>${escapeHtml(reason)}</p>`);
}

function html(status: number, title: string, body: string): RouterPage {
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    body: `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1>\n${body}\n</body></html>\n`,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
