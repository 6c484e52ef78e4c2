import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@paas/testing';
import { PaasCli } from './paas-cli.js';
import { freePort, Platform } from './platform.js';

const run = promisify(execFile);
const STACK = process.env.PAAS_STACK_IMAGE || 'paas/stack:bookworm';

/** Why these tests cannot run here (no engine, no stack image, no registry binary), or undefined. */
async function missing(): Promise<string | undefined> {
  try {
    await run('docker', ['image', 'inspect', STACK]);
  } catch (err) {
    return `no Docker engine with the stack image ${STACK} (${(err as Error).message.split('\n')[0]})`;
  }
  return access('/usr/bin/docker-registry').then(() => undefined, () => 'docker-registry is not installed');
}

const skip = await missing();
if (skip) console.log(`# skipping the container registry tests: ${skip}`);

/** A tiny web app as an image: node from the stack image answers `text` on $PORT. */
function appFiles(text: string): Record<string, string> {
  return {
    Dockerfile: `FROM ${STACK}\nCOPY server.js /srv/server.js\nCMD ["node", "/srv/server.js"]\n`,
    'server.js': `require('http').createServer((q, s) => s.end(${JSON.stringify(text)})).listen(process.env.PORT);\n`,
  };
}

/** The claims of a registry token (its middle part), to see what was granted. */
function claims(token: string): { sub: string; aud: string; access: { type: string; name: string; actions: string[] }[] } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

describe('container registry: paas container:push and container:release through the real docker CLI', { skip }, () => {
  let p: Platform;
  let cli: PaasCli;
  let registry: string;
  const dirs: string[] = [];
  const images = new Set<string>();

  /** docker with the test's own config dir: logins never touch ~/.docker. */
  const docker = (config: string, ...args: string[]) => run('docker', args, { env: { ...process.env, DOCKER_CONFIG: config }, maxBuffer: 16 * 1024 * 1024 });
  const tempDir = async (prefix: string) => {
    const d = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const write = (dir: string, files: Record<string, string>) => Promise.all(Object.entries(files).map(([f, c]) => writeFile(join(dir, f), c)));
  /** Remembers a built image by id, so it is removed at the end even when a later build takes its tag. */
  const keep = async (ref: string) => images.add((await run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim());
  const token = async (password: string, ...scopes: string[]) => {
    const q = new URLSearchParams([['service', 'paas-registry'], ...scopes.map((s): [string, string] => ['scope', s])]);
    const r = await fetch(`${p.apiUrl}/registry/token?${q}`, { headers: { authorization: `Basic ${Buffer.from(`_:${password}`).toString('base64')}` } });
    return { status: r.status, body: await r.json() as { token: string; details?: string } };
  };

  before(async () => {
    p = await Platform.start({ PAAS_RUNTIME: 'docker', PAAS_REGISTRY_PORT: String(await freePort()), PAAS_ROUTE_DRAIN_MS: '500' });
    cli = await PaasCli.create({ PAAS_API_URL: p.apiUrl, PAAS_API_KEY: p.apiKey, DOCKER_CONFIG: await tempDir('paas-docker-config-') });
    registry = (await p.api('GET', '/registry')).body.host;
  });

  after(async () => {
    await p?.stop();
    for (const id of images) await run('docker', ['image', 'rm', '--force', id]).catch(() => undefined);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    if (cli) await rm(cli.home, { recursive: true, force: true });
  });

  test('container:login, container:push web, container:release web: the app serves the image; a second push and release serve the new one', async () => {
    assert.match(registry, /^127\.0\.0\.1:\d+$/);
    assert.equal((await p.api('POST', '/apps', { name: 'boxed-app' })).status, 201);
    const login = await cli.run(['container:login']);
    assert.equal(login.code, 0, login.out);
    assert.match(login.out, /Login Succeeded/);

    const dir = await tempDir('paas-image-');
    for (const version of ['one', 'two']) {
      await write(dir, appFiles(`hello from image ${version}`));
      const push = await cli.run(['container:push', 'web', '-a', 'boxed-app'], { cwd: dir, timeoutMs: 240_000 });
      await keep(`${registry}/boxed-app/web`).catch(() => undefined);
      assert.equal(push.code, 0, push.out);
      assert.match(push.stdout, new RegExp(`=== Building web \\(${dir}/Dockerfile\\)`));
      assert.match(push.stdout, /=== Pushing web/);
      assert.match(push.stdout, /latest: digest: sha256:[0-9a-f]{64}/);
      assert.match(push.stdout, /Your image has been successfully pushed\. You can now release it with the 'container:release' command\./);

      const release = await cli.run(['container:release', 'web', '-a', 'boxed-app'], { timeoutMs: 120_000 });
      assert.equal(release.code, 0, release.out);
      assert.match(release.stderr, /Releasing image web to ⬢ boxed-app\.\.\. done/);
      await waitFor(`boxed-app to serve image ${version}`, async () => (await p.viaRouter('boxed-app')).body === `hello from image ${version}`, { timeoutMs: 120_000, intervalMs: 500 });
    }

    const id = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', `${registry}/boxed-app/web`])).stdout.trim();
    const releases = (await p.api('GET', '/apps/boxed-app/releases')).body as { version: number; description: string }[];
    assert.equal(releases.at(-1)!.description, `Deployed web (${id.slice(7, 19)})`);
    const formation = (await p.api('GET', '/apps/boxed-app/formation')).body as { type: string; command: string; quantity: number }[];
    assert.deepEqual(formation.map((f) => [f.type, f.command, f.quantity]), [['web', 'node /srv/server.js', 1]]);
    const dynos = (await p.api('GET', '/apps/boxed-app/dynos')).body as { name: string; state: string }[];
    assert.deepEqual(dynos.filter((d) => d.state === 'up').map((d) => d.name), ['web.1']);
  });

  test('a dyno whose image the engine lacks pulls it from the registry with the pull-only credential', async () => {
    const release = (await p.api('GET', '/apps/boxed-app/releases')).body.at(-1) as { version: number };
    const dyno = (await p.api('GET', '/apps/boxed-app/dynos')).body.find((d: { name: string }) => d.name === 'web.1') as { created_at: string };
    const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{join .RepoDigests " "}}', `${registry}/boxed-app/web`]);
    const byDigest = stdout.trim().split(' ').find((d) => d.startsWith(`${registry}/boxed-app/web@`))!;
    assert.ok(byDigest, stdout);
    // Untagged (the running container keeps the image itself): the engine no longer knows the release's reference.
    await run('docker', ['image', 'rm', '--force', byDigest, `${registry}/boxed-app/web`]);
    await assert.rejects(run('docker', ['image', 'inspect', byDigest]));
    assert.equal((await p.api('DELETE', '/apps/boxed-app/dynos/web.1')).status, 202);
    await waitFor('a new web.1 from the pulled image', async () => {
      const d = (await p.api('GET', '/apps/boxed-app/dynos')).body.find((x: { name: string }) => x.name === 'web.1') as { created_at: string; state: string } | undefined;
      const pulled = await run('docker', ['image', 'inspect', byDigest]).then(() => true, () => false);
      return pulled && d?.state === 'up' && d.created_at !== dyno.created_at && (await p.viaRouter('boxed-app')).body === 'hello from image two';
    }, { timeoutMs: 120_000, intervalMs: 500 });
    await keep(byDigest);
    assert.equal((await p.api('GET', '/apps/boxed-app/releases')).body.at(-1).version, release.version, 'a restart makes no release');
  });

  test('a user who may not deploy an app cannot push to it: the registry says denied and the repository never appears', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'guarded-app' })).status, 201);
    assert.equal((await p.api('POST', '/accounts', { email: 'mallory@example.com', password: 'mallory-password' })).status, 201);
    const auth = await fetch(`${p.apiUrl}/oauth/authorizations`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from('mallory@example.com:mallory-password').toString('base64')}`, 'content-type': 'application/json' }, body: '{}',
    });
    const mallory = ((await auth.json()) as { access_token: { token: string } }).access_token.token;
    assert.equal((await p.api('POST', '/apps', { name: 'mallory-app' }, mallory)).status, 201);

    // The token server grants push and pull on her own app only.
    const asked = await token(mallory, 'repository:guarded-app/web:push,pull', 'repository:mallory-app/web:push,pull', 'registry:catalog:*');
    assert.equal(asked.status, 200);
    assert.deepEqual(claims(asked.body.token).access, [{ type: 'repository', name: 'mallory-app/web', actions: ['push', 'pull'] }]);
    assert.equal(claims(asked.body.token).sub, 'mallory@example.com');
    assert.equal((await token('not-a-token', 'repository:guarded-app/web:pull')).status, 401);

    // The real docker CLI, logged in as her, is refused by the registry.
    const config = await tempDir('paas-docker-mallory-');
    const login = await docker(config, 'login', '--username', '_', '--password', mallory, registry).catch((err: Error & { stderr?: string }) => ({ stdout: '', stderr: err.stderr ?? err.message }));
    assert.match(login.stdout, /Login Succeeded/, login.stderr);
    const dir = await tempDir('paas-image-');
    await write(dir, appFiles('not yours'));
    await docker(config, 'build', '-q', '-t', `${registry}/guarded-app/web`, dir);
    await keep(`${registry}/guarded-app/web`);
    const push = await docker(config, 'push', `${registry}/guarded-app/web`).then(() => undefined, (err: Error & { stderr?: string }) => err.stderr ?? err.message);
    assert.ok(push !== undefined, 'the push of another user\'s app succeeded');
    assert.match(push, /denied|unauthorized/i);

    const admin = await token(p.apiKey, 'registry:catalog:*');
    const catalog = await fetch(`http://${registry}/v2/_catalog`, { headers: { authorization: `Bearer ${admin.body.token}` } });
    assert.equal(catalog.status, 200);
    const { repositories } = await catalog.json() as { repositories: string[] };
    assert.ok(repositories.includes('boxed-app/web'), JSON.stringify(repositories));
    assert.ok(!repositories.some((r) => r.startsWith('guarded-app/')), JSON.stringify(repositories));
  });

  test('container:release of an image that was not pushed: 422 saying so, and no release is made', async () => {
    const before = (await p.api('GET', '/apps/boxed-app/releases')).body.length;
    const unknown = await p.api('PATCH', '/apps/boxed-app/formation', { updates: [{ type: 'web', docker_image: `sha256:${'0'.repeat(64)}` }] });
    assert.equal(unknown.status, 422);
    assert.match(unknown.body.message, /is not the one pushed last to 127\.0\.0\.1:\d+\/boxed-app\/web.*paas container:push web/);
    const never = await p.api('PATCH', '/apps/boxed-app/formation', { updates: [{ type: 'worker', docker_image: `sha256:${'1'.repeat(64)}` }] });
    assert.equal(never.status, 422);
    assert.match(never.body.message, /No image was pushed to 127\.0\.0\.1:\d+\/boxed-app\/worker: push it first \(paas container:push worker\)/);
    const elsewhere = await p.api('PATCH', '/apps/boxed-app/formation', { updates: [{ type: 'web', docker_image: 'docker.io/library/nginx:latest' }] });
    assert.equal(elsewhere.status, 422);
    assert.equal((await p.api('GET', '/apps/boxed-app/releases')).body.length, before);
    // Scaling through the same route still works.
    const scaled = await p.api('PATCH', '/apps/boxed-app/formation', { updates: [{ type: 'web', quantity: 1, size: 'basic' }] });
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    assert.equal(scaled.body[0].size, 'basic');
  });

  test("a destroyed app's images are gone: a new app of the same name, another user's, cannot pull them", async () => {
    const owner = await token(p.apiKey, 'repository:boxed-app/web:pull');
    const latest = await fetch(`http://${registry}/v2/boxed-app/web/manifests/latest`, {
      method: 'HEAD', headers: { authorization: `Bearer ${owner.body.token}`, accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(latest.status, 200);
    const digest = latest.headers.get('docker-content-digest')!;
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);

    assert.equal((await p.api('DELETE', '/apps/boxed-app')).status, 200);
    // Mallory (made by an earlier test) takes the name at once.
    const auth = await fetch(`${p.apiUrl}/oauth/authorizations`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from('mallory@example.com:mallory-password').toString('base64')}`, 'content-type': 'application/json' }, body: '{}',
    });
    const mallory = ((await auth.json()) as { access_token: { token: string } }).access_token.token;
    assert.equal((await p.api('POST', '/apps', { name: 'boxed-app' }, mallory)).status, 201);
    const hers = await token(mallory, 'repository:boxed-app/web:pull');
    assert.deepEqual(claims(hers.body.token).access, [{ type: 'repository', name: 'boxed-app/web', actions: ['pull'] }]);

    const admin = await token(p.apiKey, 'registry:catalog:*');
    await waitFor('the old manifests and the repository to be removed', async () => {
      const old = await fetch(`http://${registry}/v2/boxed-app/web/manifests/${digest}`, { headers: { authorization: `Bearer ${hers.body.token}` } });
      const catalog = await fetch(`http://${registry}/v2/_catalog`, { headers: { authorization: `Bearer ${admin.body.token}` } });
      const { repositories } = await catalog.json() as { repositories: string[] };
      return old.status === 404 && !repositories.includes('boxed-app/web');
    }, { timeoutMs: 30_000, intervalMs: 250 });
    // What docker pull asks first is that manifest: the registry's 404 above is its answer too.
  });
});

describe('container:release on the process runtime', { skip }, () => {
  let p: Platform;
  before(async () => { p = await Platform.start({ PAAS_RUNTIME: 'process' }); });
  after(async () => { await p?.stop(); });

  test('is refused up front: images need the docker runtime', async () => {
    assert.equal((await p.api('POST', '/apps', { name: 'proc-app' })).status, 201);
    const r = await p.api('PATCH', '/apps/proc-app/formation', { updates: [{ type: 'web', docker_image: `sha256:${'2'.repeat(64)}` }] });
    assert.equal(r.status, 422);
    assert.match(r.body.message, /docker runtime.*PAAS_RUNTIME=docker/);
    assert.equal((await p.api('GET', '/apps/proc-app/releases')).body.length, 1);
  });
});
