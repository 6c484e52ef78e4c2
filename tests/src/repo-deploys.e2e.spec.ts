import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@paas/testing';
import { git, pythonServer, Scratch } from './git.js';
import { GitServer } from './git-server.js';
import { PaasCli } from './paas-cli.js';
import { Platform } from './platform.js';

const SECRET = 'whsec-correct-horse-battery';
const TOKEN = 'tok-s3cret-in-url';
const ZERO = '0'.repeat(40);

const appFiles = (text: string) => ({ 'requirements.txt': '', Procfile: 'web: python3 app.py\n', 'app.py': pythonServer(JSON.stringify(text)) });

/** A push event in GitHub's shape. */
const pushEvent = (branch: string, after: string, o: { deleted?: boolean } = {}) => ({
  ref: `refs/heads/${branch}`, before: ZERO, after, created: false, deleted: o.deleted ?? false, forced: false,
  repository: { name: 'webapp', full_name: 'team/webapp', clone_url: 'http://127.0.0.1/webapp.git' },
  head_commit: o.deleted ? null : { id: after, message: 'a commit', timestamp: new Date().toISOString() },
  pusher: { name: 'someone', email: 'someone@example.com' },
});

describe('repository links: signed push webhooks and manual deploys build the commit from the linked repository', () => {
  let p: Platform;
  let gs: GitServer;
  let work: string;
  const scratch = new Scratch();

  /** Sends a delivery as GitHub does: raw JSON, the event header, and the signature unless told otherwise. */
  const deliver = async (app: string, body: unknown, o: { event?: string; secret?: string | null; signature?: string } = {}) => {
    const raw = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': o.event ?? 'push', 'x-github-delivery': crypto.randomUUID() };
    const secret = o.secret === undefined ? SECRET : o.secret;
    if (o.signature !== undefined) headers['x-hub-signature-256'] = o.signature;
    else if (secret !== null) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    const r = await fetch(`${p.apiUrl}/hooks/repo/${app}`, { method: 'POST', headers, body: raw });
    return { status: r.status, body: await r.json() as any };
  };
  const head = async (dir: string) => (await git(dir, 'rev-parse', 'HEAD')).output.trim();
  /** Commits a new text on the working repo's current branch and pushes it to the served repository. */
  const commitAndPush = async (text: string, branch = 'main') => {
    await writeFile(join(work, 'app.py'), pythonServer(JSON.stringify(text)));
    assert.equal((await git(work, 'commit', '-qam', text)).code, 0);
    const pushed = await git(work, 'push', '--quiet', gs.path('webapp'), `HEAD:refs/heads/${branch}`);
    assert.equal(pushed.code, 0, pushed.output);
    return head(work);
  };
  const builds = async (app: string) => (await p.api('GET', `/apps/${app}/builds`)).body as { id: string; status: string }[];
  const serves = (app: string, text: string) => waitFor(`${app} to answer "${text}"`, async () => (await p.viaRouter(app)).body === text, { timeoutMs: 120_000, intervalMs: 250 });
  const lastRelease = async (app: string) => ((await p.api('GET', `/apps/${app}/releases`)).body as { version: number; description: string }[]).at(-1)!;

  before(async () => {
    gs = await GitServer.start();
    p = await Platform.start({ PAAS_REPO_ALLOWED_HOSTS: gs.hostPort });
    await gs.create('webapp');
    work = await scratch.repo(appFiles('repo v1'));
    const pushed = await git(work, 'push', '--quiet', gs.path('webapp'), 'main');
    assert.equal(pushed.code, 0, pushed.output);
    assert.equal((await p.api('POST', '/apps', { name: 'repo-app' })).status, 201);
  });

  after(async () => {
    await p?.stop();
    await gs?.stop();
    await scratch.remove();
  });

  test('a link keeps its secret and the URL\'s token to itself; a signed push builds exactly the pushed commit, released as "Deploy <sha> from main"; a second push deploys again', async () => {
    const linked = await p.api('POST', '/apps/repo-app/repo-link', { repo_url: gs.url('webapp', `deploy:${TOKEN}`), branch: 'main', auto_deploy: true, secret: SECRET });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    assert.equal(linked.body.repo_url, `http://deploy:*****@127.0.0.1:${gs.port}/webapp.git`);
    assert.equal(linked.body.secret_set, true);
    assert.equal(linked.body.webhook_url, `${p.apiUrl}/hooks/repo/repo-app`);
    const shown = await p.api('GET', '/apps/repo-app/repo-link');
    assert.equal(shown.status, 200);
    assert.deepEqual({ branch: shown.body.branch, auto_deploy: shown.body.auto_deploy, secret_set: shown.body.secret_set }, { branch: 'main', auto_deploy: true, secret_set: true });
    for (const body of [linked.body, shown.body]) {
      assert.ok(!JSON.stringify(body).includes(SECRET) && !JSON.stringify(body).includes(TOKEN), 'neither the secret nor the token is echoed');
    }

    const ping = await deliver('repo-app', { zen: 'Keep it logically awesome.', hook_id: 1 }, { event: 'ping' });
    assert.equal(ping.status, 200, JSON.stringify(ping.body));
    assert.equal((await builds('repo-app')).length, 0, 'a ping builds nothing');

    const first = await head(work);
    const hook = await deliver('repo-app', pushEvent('main', first));
    assert.equal(hook.status, 202, JSON.stringify(hook.body));
    assert.equal(hook.body.build.commit, first);
    assert.match(hook.body.message, new RegExp(`Deploying ${first.slice(0, 7)} from main`));
    await serves('repo-app', 'repo v1');
    assert.equal((await lastRelease('repo-app')).description, `Deploy ${first.slice(0, 7)} from main`);
    const listed = await builds('repo-app');
    assert.deepEqual(listed.map((b) => [b.id, b.status]), [[hook.body.build.id, 'succeeded']]);
    const output = await (await fetch(hook.body.build.output_stream_url)).text();
    assert.match(output, new RegExp(`Fetched main \\(${first.slice(0, 7)}\\) from http://deploy:\\*\\*\\*\\*\\*@127\\.0\\.0\\.1`));
    assert.match(output, /Python app detected/);

    const second = await commitAndPush('repo v2');
    const again = await deliver('repo-app', pushEvent('main', second));
    assert.equal(again.status, 202, JSON.stringify(again.body));
    await serves('repo-app', 'repo v2');
    assert.equal((await lastRelease('repo-app')).description, `Deploy ${second.slice(0, 7)} from main`);
    assert.equal((await builds('repo-app')).length, 2);

    // The branch moves on twice before the first of those pushes is delivered: exactly that commit is built.
    const third = await commitAndPush('repo v3');
    await commitAndPush('repo v4');
    assert.equal((await deliver('repo-app', pushEvent('main', third))).status, 202);
    await serves('repo-app', 'repo v3');
    assert.equal((await lastRelease('repo-app')).description, `Deploy ${third.slice(0, 7)} from main`);
    assert.ok(gs.authorizations.length > 0 && gs.authorizations.every((a) => a === `Basic ${Buffer.from(`deploy:${TOKEN}`).toString('base64')}`), 'the URL\'s credentials reach the repository');
    const logs = p.logs.join('\n');
    assert.ok(!logs.includes(SECRET) && !logs.includes(TOKEN), 'the services\' logs hold neither the secret nor the token');
  });

  test('unsigned, wrongly signed, other-branch, deleted-branch and unknown-app deliveries build nothing', async () => {
    const before = (await builds('repo-app')).length;
    const fetchesBefore = gs.requests.length;
    const sha = await head(work);
    const unsigned = await deliver('repo-app', pushEvent('main', sha), { secret: null });
    assert.equal(unsigned.status, 401, JSON.stringify(unsigned.body));
    assert.equal((await deliver('repo-app', pushEvent('main', sha), { secret: 'not-the-secret' })).status, 401);
    const otherBody = `sha256=${createHmac('sha256', SECRET).update('{"ref":"refs/heads/main"}').digest('hex')}`;
    assert.equal((await deliver('repo-app', pushEvent('main', sha), { signature: otherBody })).status, 401, 'a signature of another body');
    assert.equal((await deliver('repo-app', pushEvent('main', sha), { signature: 'sha256=abc' })).status, 401, 'a short signature');
    assert.equal((await deliver('repo-app', pushEvent('main', sha), { signature: `sha1=${'0'.repeat(40)}` })).status, 401, 'another algorithm');

    const feature = await commitAndPush('feature work', 'feature');
    const other = await deliver('repo-app', pushEvent('feature', feature));
    assert.equal(other.status, 200, JSON.stringify(other.body));
    assert.match(other.body.message, /Ignored a push to feature: this app deploys main/);
    const deleted = await deliver('repo-app', pushEvent('main', ZERO, { deleted: true }));
    assert.equal(deleted.status, 200);
    assert.match(deleted.body.message, /Ignored the deletion of main/);
    assert.equal((await deliver('no-such-app', pushEvent('main', sha))).status, 404);
    assert.equal((await p.api('POST', '/apps', { name: 'repo-unlinked' })).status, 201);
    assert.equal((await deliver('repo-unlinked', pushEvent('main', sha))).status, 404);

    assert.equal((await builds('repo-app')).length, before, 'no build appeared');
    assert.deepEqual(gs.requests.slice(fetchesBefore), [], 'the repository was never fetched');
    assert.equal((await p.viaRouter('repo-app')).body, 'repo v3', 'the app still serves the last deploy');
  });

  test('a signed push of a commit the repository does not have answers 202, then its failure is in the app\'s log and nothing is built', async () => {
    const before = (await builds('repo-app')).length;
    const missing = 'feedface'.repeat(5);
    const hook = await deliver('repo-app', pushEvent('main', missing));
    assert.equal(hook.status, 202, JSON.stringify(hook.body));
    const line = await waitFor('the failure in the app log', async () => {
      const session = await p.api('POST', '/apps/repo-app/log-sessions', { lines: 500, source: 'app' });
      const text = await (await fetch(session.body.logplex_url, { headers: { accept: 'text/event-stream' } })).text();
      return text.split('\n').find((l) => l.includes(`Deploy of main ${missing.slice(0, 7)} failed`));
    }, { timeoutMs: 60_000, intervalMs: 250 });
    assert.match(line, /app\[api\]: Deploy of main feedfac failed: Could not fetch main from http:\/\/deploy:\*\*\*\*\*@127\.0\.0\.1:\d+\/webapp\.git: commit feedface\w+ is no longer the head of main/);
    assert.ok(!line.includes(TOKEN));
    assert.equal((await builds('repo-app')).length, before);
  });

  test('a manual deploy builds the head of the branch asked for; with auto_deploy off a signed push is ignored', async () => {
    const feature = await head(work); // the working repo is on the feature commit pushed above
    const manual = await p.api('POST', '/apps/repo-app/repo-link/deploys', { branch: 'feature' });
    assert.equal(manual.status, 202, JSON.stringify(manual.body));
    assert.equal(manual.body.build.commit, feature);
    await serves('repo-app', 'feature work');
    assert.equal((await lastRelease('repo-app')).description, `Deploy ${feature.slice(0, 7)} from feature`);
    assert.equal((await p.api('POST', '/apps/repo-app/repo-link/deploys', { branch: 'no-such-branch' })).status, 422);

    const relinked = await p.api('POST', '/apps/repo-app/repo-link', { repo_url: gs.url('webapp'), branch: 'main', auto_deploy: false, secret: SECRET });
    assert.equal(relinked.status, 200, JSON.stringify(relinked.body));
    const count = (await builds('repo-app')).length;
    const ignored = await deliver('repo-app', pushEvent('main', await head(gs.path('webapp'))));
    assert.equal(ignored.status, 200);
    assert.match(ignored.body.message, /automatic deploys are off/);
    assert.equal((await builds('repo-app')).length, count);
  });

  test('the paas CLI links an app, shows the link and deploys a branch with its build output', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'repo-cli' })).status, 201);
    const cli = await PaasCli.create({ PAAS_API_URL: p.apiUrl, PAAS_API_KEY: p.apiKey });
    scratch.keep(cli.home);
    const linked = await cli.run(['repo:link', gs.url('webapp', `deploy:${TOKEN}`), '--branch', 'main', '--secret', SECRET, '-a', 'repo-cli']);
    assert.equal(linked.code, 0, linked.out);
    assert.match(linked.stdout, /Repository: http:\/\/deploy:\*\*\*\*\*@127\.0\.0\.1:\d+\/webapp\.git\nBranch: +main\nAuto-deploy: off/);
    assert.ok(!linked.out.includes(TOKEN) && !linked.out.includes(SECRET));
    const main = await head(gs.path('webapp'));
    const deployed = await cli.run(['repo:deploy', '-a', 'repo-cli'], { timeoutMs: 180_000 });
    assert.equal(deployed.code, 0, deployed.out);
    assert.match(deployed.stderr, /Fetched main \(\w{7}\)[\s\S]*Python app detected/);
    assert.match(deployed.stdout, new RegExp(`Deploying ${main.slice(0, 7)} from main`));
    await serves('repo-cli', 'repo v4');
    assert.equal((await lastRelease('repo-cli')).description, `Deploy ${main.slice(0, 7)} from main`);
  });

  test('repo_urls at the metadata address, the platform\'s own api port and other internal places are refused with 422 saying how to allow them', async () => {
    const refused = async (repo_url: string) => {
      const r = await p.api('POST', '/apps/repo-app/repo-link', { repo_url, branch: 'main', auto_deploy: true, secret: SECRET });
      assert.equal(r.status, 422, `${repo_url}: ${JSON.stringify(r.body)}`);
      return r.body.message as string;
    };
    assert.match(await refused('http://169.254.169.254/latest/meta-data.git'), /169\.254\.169\.254, the link-local address of cloud metadata services.*PAAS_REPO_ALLOWED_HOSTS=169\.254\.169\.254:80/);
    assert.match(await refused(`http://127.0.0.1:${p.apiPort}/repo-app.git`), /the platform's own listener/);
    assert.match(await refused(`http://localhost:${p.apiPort}/repo-app.git`), /own listener|loopback/);
    assert.match(await refused(`http://127.0.0.1:${gs.port + 1 === p.apiPort ? gs.port + 2 : gs.port + 1}/webapp.git`), /loopback address.*PAAS_REPO_ALLOWED_HOSTS/);
    assert.match(await refused('http://10.1.2.3/repo.git'), /private \(RFC 1918\)/);
    assert.match(await refused('http://[::1]:8080/repo.git'), /loopback/);
    assert.match(await refused('ftp://example.com/repo.git'), /only http and https/);
    assert.match(await refused(`http://u:${TOKEN}@169.254.169.254/x.git`), /link-local/);
    assert.ok(!(await refused(`http://u:${TOKEN}@169.254.169.254/x.git`)).includes(TOKEN), 'the token is not echoed');
    assert.equal((await p.api('GET', '/apps/repo-app/repo-link')).body.auto_deploy, false, 'the link is unchanged');
  });

  test('only users who may deploy the app see or change its link: a stranger gets 404, a collaborator may', async () => {
    const tokenFor = async (email: string) => {
      assert.equal((await p.api('POST', '/accounts', { email, password: `${email}-password` })).status, 201);
      const r = await fetch(`${p.apiUrl}/oauth/authorizations`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${email}:${email}-password`).toString('base64')}`, 'content-type': 'application/json' }, body: '{}',
      });
      return ((await r.json()) as { access_token: { token: string } }).access_token.token;
    };
    const stranger = await tokenFor('stranger@example.com');
    const helper = await tokenFor('helper@example.com');
    const body = { repo_url: gs.url('webapp'), branch: 'main', auto_deploy: true, secret: 'the-strangers-secret' };
    assert.equal((await p.api('GET', '/apps/repo-app/repo-link', undefined, stranger)).status, 404);
    assert.equal((await p.api('POST', '/apps/repo-app/repo-link', body, stranger)).status, 404);
    assert.equal((await p.api('POST', '/apps/repo-app/repo-link/deploys', {}, stranger)).status, 404);
    assert.equal((await p.api('DELETE', '/apps/repo-app/repo-link', undefined, stranger)).status, 404);
    assert.equal((await p.api('GET', '/apps/repo-app/repo-link')).body.secret_set, true, 'the link is as it was');

    assert.equal((await p.api('POST', '/apps/repo-app/collaborators', { user: 'helper@example.com' })).status, 201);
    const shown = await p.api('GET', '/apps/repo-app/repo-link', undefined, helper);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.branch, 'main');
  });

  test('unlinking and destroying the app remove the link', async () => {
    const gone = await p.api('DELETE', '/apps/repo-app/repo-link');
    assert.equal(gone.status, 200);
    assert.equal((await p.api('GET', '/apps/repo-app/repo-link')).status, 404);
    assert.equal((await deliver('repo-app', pushEvent('main', await head(gs.path('webapp'))))).status, 404);

    assert.equal((await p.api('POST', '/apps', { name: 'repo-doomed' })).status, 201);
    assert.equal((await p.api('POST', '/apps/repo-doomed/repo-link', { repo_url: gs.url('webapp'), branch: 'main', secret: SECRET })).status, 201);
    assert.equal((await p.api('DELETE', '/apps/repo-doomed')).status, 200);
    assert.equal((await p.api('POST', '/apps', { name: 'repo-doomed' })).status, 201);
    assert.equal((await p.api('GET', '/apps/repo-doomed/repo-link')).status, 404, 'a new app of the same name has no link');
  });
});
