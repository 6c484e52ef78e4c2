/**
 * The deploy page's script (served as /deploy/deploy.js). It reads the template through the api
 * (the browser never fetches the template URL itself), builds one field per env entry, starts the
 * setup with the token typed in (kept in sessionStorage), follows the build output as it streams,
 * then shows the postdeploy output and the outcome. Values from app.json only ever go through
 * textContent, value or an http(s) href checked by the api.
 */
export const DEPLOY_PAGE_SCRIPT = String.raw`'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'paas-api-token';
  const template = new URLSearchParams(location.search).get('template') || '';
  const token = $('token');
  token.value = sessionStorage.getItem(TOKEN_KEY) || '';

  const showError = (message) => { $('error').textContent = message; $('error').hidden = !message; };
  const api = async (method, path, body) => {
    // No cookies or stored credentials: the token is the only one, and a 401 must not open the browser's login prompt.
    const res = await fetch(path, {
      method,
      credentials: 'omit',
      headers: { accept: 'application/vnd.heroku+json; version=3', 'content-type': 'application/json', authorization: 'Bearer ' + token.value.trim() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.message || 'The platform answered HTTP ' + res.status);
    return data;
  };
  const el = (tag, props, text) => {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const link = (id, href) => { if (href) { $(id).href = href; $(id).hidden = false; } };

  function showTemplate(t) {
    $('name').textContent = t.name || 'Unnamed app';
    if (t.description) { $('description').textContent = t.description; $('description').hidden = false; }
    if (t.logo) { $('logo').src = t.logo; $('logo').hidden = false; }
    link('website', t.website);
    link('repository', t.repository);
    if (t.addons.length > 0) { $('addons').textContent = 'Add-ons: ' + t.addons.join(', '); $('addons').hidden = false; }
    const env = $('env');
    for (const f of t.env) {
      const id = 'env-' + f.name;
      const label = el('label', { htmlFor: id }, f.name);
      if (f.required) label.append(' ', el('span', { className: 'required', title: 'required' }, '*'));
      env.append(label);
      if (f.description) env.append(el('p', { className: 'desc' }, f.description));
      const input = el('input', { id, type: 'text', required: f.required, value: f.value || '' });
      input.dataset.env = f.name;
      if (f.generated) input.placeholder = 'generated when left empty (a random secret)';
      env.append(input);
    }
    if (t.env.length === 0) env.hidden = true;
    $('token-form').hidden = true;
    $('setup-form').hidden = false;
  }

  async function loadTemplate() {
    showError('');
    if (!template) throw new Error('No template: open this page as /deploy?template=<URL of a .tar.gz with an app.json>.');
    sessionStorage.setItem(TOKEN_KEY, token.value.trim());
    showTemplate(await api('GET', '/deploy/template?url=' + encodeURIComponent(template)));
  }

  async function streamBuild(url) {
    const out = $('build-output');
    const res = await fetch(new URL(url, location.href).pathname, { credentials: 'omit' });
    if (!res.ok || !res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out.textContent += value;
      out.scrollTop = out.scrollHeight;
    }
  }

  async function follow(setup) {
    let streaming = null;
    for (;;) {
      if (setup.build && !streaming) streaming = streamBuild(setup.build.output_stream_url).catch(() => undefined);
      if (setup.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 1000));
      setup = await api('GET', '/app-setups/' + setup.id);
    }
    if (streaming) await streaming;
    if (setup.postdeploy) {
      $('postdeploy-output').textContent = setup.postdeploy.output;
      $('postdeploy-exit').textContent = '(exit status ' + setup.postdeploy.exit_code + ')';
      $('postdeploy').hidden = false;
    }
    if (setup.status === 'failed') { $('failure').textContent = setup.failure_message || 'The setup failed.'; $('failure').hidden = false; }
    if (setup.status === 'succeeded' && setup.resolved_success_url) {
      $('app-link').href = setup.resolved_success_url;
      $('app-link').textContent = 'Open ' + setup.app.name + ' (' + setup.resolved_success_url + ')';
      $('done').hidden = false;
    }
    $('status').textContent = setup.status;
    $('status').className = setup.status;
  }

  async function deploy() {
    showError('');
    const env = {};
    for (const input of document.querySelectorAll('input[data-env]')) if (input.value !== '') env[input.dataset.env] = input.value;
    const body = { source_blob: { url: template }, overrides: { env } };
    const name = $('app-name').value.trim();
    if (name) body.app = { name };
    $('deploy').disabled = true;
    let setup;
    try {
      setup = await api('POST', '/app-setups', body);
    } catch (err) {
      $('deploy').disabled = false;
      throw err;
    }
    $('setup-form').hidden = true;
    $('progress').hidden = false;
    $('status').textContent = 'pending (' + setup.app.name + ')';
    await follow(setup);
  }

  $('token-form').addEventListener('submit', (e) => { e.preventDefault(); loadTemplate().catch((err) => showError(err.message)); });
  $('setup-form').addEventListener('submit', (e) => { e.preventDefault(); deploy().catch((err) => showError(err.message)); });
  if (token.value) loadTemplate().catch((err) => showError(err.message));
})();
`;
