import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { waitFor } from '@paas/testing';
import { Platform } from './platform.js';
import { seededApp, TemplateServer } from './setup-templates.js';

/** Debian's chromium (apt-get install chromium); playwright-core brings no browser of its own. */
const CHROMIUM = process.env.PAAS_TEST_CHROMIUM || '/usr/bin/chromium';
// tests/dist/src -> tests/artifacts (gitignored)
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'artifacts');

/** Markup in app.json that must show as text: it would set window.pwned if it ever ran. */
const HOSTILE = `Notes <img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;

describe('the Deploy button: /deploy?template=... in headless Chromium starts an app setup and follows it', () => {
  let p: Platform;
  let templates: TemplateServer;
  let browser: Browser;
  let shots: string;

  before(async () => {
    shots = await mkdtemp(join(tmpdir(), 'paas-deploy-button-'));
    templates = await TemplateServer.start();
    p = await Platform.start({ PAAS_SOURCE_ALLOWED_HOSTS: '127.0.0.1/32' });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    await p?.stop();
    await templates?.close();
    await rm(shots, { recursive: true, force: true });
  });

  test('the page shows the template, takes the token and env, deploys, streams the build and ends succeeded with the app answering', async () => {
    const template = await templates.add('button', seededApp({ description: HOSTILE }));
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });

    const res = await page.goto(`${p.apiUrl}/deploy?template=${encodeURIComponent(template)}`);
    assert.equal(res?.status(), 200, 'the page needs no token to load');
    assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.fill('#token', p.apiKey);
    await page.click('#token-form button');
    await page.waitForSelector('#setup-form:not([hidden])');

    assert.equal(await page.textContent('#name'), 'Seeded notes');
    assert.equal(await page.textContent('#description'), HOSTILE, 'app.json markup shows as text');
    assert.equal(await page.evaluate('window.pwned'), undefined, 'and never runs');
    assert.equal(await page.getAttribute('#website', 'href'), 'https://example.com/seeded-notes');
    assert.equal(await page.inputValue('#env-MODE'), 'demo', 'defaults are prefilled');
    assert.equal(await page.getAttribute('#env-GREETING', 'required'), '', 'required fields are required');
    assert.match(await page.getAttribute('#env-SECRET_KEY', 'placeholder') ?? '', /generated/);
    assert.equal(await page.evaluate("sessionStorage.getItem('paas-api-token')"), p.apiKey, 'the token stays in the tab');

    await page.fill('#app-name', 'button-notes');
    await page.fill('#env-GREETING', 'hello from the browser');
    await page.click('#deploy');
    await page.waitForSelector('#status.succeeded, #status.failed', { timeout: 300_000 });
    const status = await page.textContent('#status');
    assert.equal(status, 'succeeded', `${await page.textContent('#failure')}\n${p.logs.slice(-30).join('\n')}`);
    assert.match(await page.textContent('#build-output') ?? '', /Node\.js app detected/, 'the build output was followed');
    assert.equal(await page.textContent('#postdeploy-output'), 'seeded the notes table with: hello from the browser');
    assert.equal(await page.getAttribute('#app-link', 'href'), `http://button-notes.localhost:${p.routerPort}/`);

    const shot = join(shots, 'deploy-button.png');
    await page.screenshot({ path: shot, fullPage: true });
    await mkdir(ARTIFACTS, { recursive: true });
    await copyFile(shot, join(ARTIFACTS, 'deploy-button.png'));
    assert.ok((await stat(shot)).size > 1000);
    console.log(`deploy button screenshot: ${shot} (copied to ${join(ARTIFACTS, 'deploy-button.png')})`);
    assert.deepEqual(problems, []);

    const answer = await waitFor('the app set up from the browser to answer', async () => {
      const r = await p.viaRouter('button-notes');
      return r.status === 200 ? JSON.parse(r.body) as { notes: string[]; secretIs64Hex: boolean } : undefined;
    }, { timeoutMs: 60_000 });
    assert.deepEqual(answer.notes, ['hello from the browser']);
    assert.equal(answer.secretIs64Hex, true);
  });

  test('without a token the template is not read; a wrong one says so', async () => {
    const template = await templates.add('button-2', seededApp());
    const page = await browser.newPage();
    await page.goto(`${p.apiUrl}/deploy?template=${encodeURIComponent(template)}`);
    assert.equal(await page.isVisible('#setup-form'), false);
    await page.fill('#token', 'not-a-token');
    await page.click('#token-form button');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error') ?? '', /credentials|unauthorized|token/i);
    assert.equal(await page.isVisible('#setup-form'), false);
  });
});
