import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOY_PAGE_SCRIPT } from '../src/domain/deploy-page-script.js';
import { DEPLOY_PAGE_CSP, deployPageHtml, escapeHtml } from '../src/domain/deploy-page.js';

describe('the deploy page', () => {
  test('escapeHtml turns every markup character into an entity', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  test('a hostile template URL appears as text only, never as markup', () => {
    const evil = `http://x/"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    const html = deployPageHtml(evil);
    assert.ok(!html.includes('<script>alert(1)'), 'no script element from the URL');
    assert.ok(!html.includes('<img src=x'), 'no img element from the URL');
    assert.ok(html.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'the one script is the page\'s own, by src');
    assert.match(html, /<script src="\/deploy\/deploy\.js" defer><\/script>/);
  });

  test('the policy allows no inline script or style and only this origin to be called', () => {
    assert.doesNotMatch(DEPLOY_PAGE_CSP, /unsafe-inline|unsafe-eval|\*/);
    assert.match(DEPLOY_PAGE_CSP, /default-src 'none'/);
    assert.match(DEPLOY_PAGE_CSP, /script-src 'self'/);
    assert.match(DEPLOY_PAGE_CSP, /connect-src 'self'/);
    assert.doesNotMatch(deployPageHtml('u'), /\sstyle=|\son[a-z]+=/, 'no inline styles or handlers the policy would block');
  });

  test('the script writes template values as text, never as HTML', () => {
    assert.doesNotMatch(DEPLOY_PAGE_SCRIPT, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    assert.match(DEPLOY_PAGE_SCRIPT, /textContent/);
  });
});
