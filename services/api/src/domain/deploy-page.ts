/**
 * The Deploy button's page (/deploy?template=<tarball URL>): static HTML, a stylesheet and a script
 * served by the api itself, so a Content-Security-Policy without 'unsafe-inline' holds. Whatever
 * comes from a template (app.json) is put on the page by the script as text (textContent), never
 * as markup; the one value the server writes, the template URL, is HTML-escaped.
 */

/** Only this origin's script, style and API; images from https (an app.json logo); no framing, no plugins. */
export const DEPLOY_PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", 'img-src https: data:',
  "form-action 'none'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside HTML elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The page for one template URL (shown as text; the script reads it from the address). */
export function deployPageHtml(templateUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Deploy an app</title>
<link rel="stylesheet" href="/deploy/deploy.css">
<script src="/deploy/deploy.js" defer></script>
</head>
<body>
<main>
<header><img id="logo" alt="" hidden><div><h1 id="name">Deploy an app</h1><p id="description" hidden></p>
<p class="links"><a id="website" rel="noopener noreferrer" hidden>Website</a> <a id="repository" rel="noopener noreferrer" hidden>Repository</a></p></div></header>
<p class="source">Template: <code id="template">${escapeHtml(templateUrl)}</code></p>
<p id="error" role="alert" hidden></p>
<form id="token-form">
<label for="token">API token</label>
<input id="token" type="password" autocomplete="current-password" required>
<p class="hint">The platform's API key or one of your API tokens. It stays in this browser tab only.</p>
<button type="submit">Continue</button>
</form>
<form id="setup-form" hidden>
<p id="addons" hidden></p>
<label for="app-name">App name</label>
<input id="app-name" type="text" placeholder="leave empty for a generated name" pattern="[a-z][a-z0-9\\-]{1,28}[a-z0-9]">
<fieldset id="env"><legend>Config vars</legend></fieldset>
<button id="deploy" type="submit">Deploy app</button>
</form>
<section id="progress" hidden>
<h2>Status: <span id="status">pending</span></h2>
<p id="failure" hidden></p>
<h3>Build output</h3>
<pre id="build-output"></pre>
<div id="postdeploy" hidden><h3>Postdeploy <span id="postdeploy-exit"></span></h3><pre id="postdeploy-output"></pre></div>
<p id="done" hidden><a id="app-link" rel="noopener noreferrer">Open the app</a></p>
</section>
</main>
</body>
</html>
`;
}

export const DEPLOY_PAGE_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f5fa;color:#222}
main{max-width:760px;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
header{display:flex;gap:1rem;align-items:center}#logo{width:64px;height:64px;object-fit:contain}
h1{margin:.2rem 0}label{display:block;font-weight:600;margin-top:.8rem}input{width:100%;box-sizing:border-box;padding:.45rem;font:inherit}
.hint,.desc,.source{color:#666;font-size:.9em;margin:.2rem 0}.required{color:#b00}fieldset{border:1px solid #ddd;border-radius:6px;margin-top:1rem}
button{margin-top:1rem;padding:.55rem 1.4rem;font:inherit;background:#6b3fa0;color:#fff;border:0;border-radius:5px;cursor:pointer}
pre{background:#1e1e2a;color:#e6e6e6;padding:.8rem;border-radius:6px;max-height:22rem;overflow:auto;white-space:pre-wrap}
#error,#failure{color:#b00;font-weight:600}#status.succeeded{color:#070}#status.failed{color:#b00}
`;
