import { isIP } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Slug } from '@paas/contracts';
import { waitFor } from '@paas/testing';
import type { DynoExit, DynoHandle, DynoOutput, DynoSpec, RuntimeDriver } from '../src/adapters/runtime/driver.js';
import { makeSlug } from './support.js';

/** What the contract suite needs from one runtime. */
export interface RuntimeUnderTest {
  readonly dataDir: string;
  /** A new driver on the same state (a restarted manager). */
  driver(): RuntimeDriver;
  /** Ends a dyno from outside the manager (kill -9 of its process, docker kill of its container). */
  killFromOutside(h: DynoHandle): Promise<void>;
  /** Removes whatever the runtime left (processes, containers), also after a failure. */
  cleanup(): Promise<void>;
}

const IGNORES_SIGTERM = `node -e "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000)"`;

/**
 * One suite every runtime driver passes: how a dyno is started and described, what it sees,
 * how its output and exit are reported, SIGTERM then SIGKILL on stop, adoption by a new
 * manager, a kill from outside reported as an exit, and attached one-off dynos.
 */
export function runtimeContract(name: string, setup: () => Promise<RuntimeUnderTest>): void {
  describe(`runtime contract: ${name}`, () => {
    let rt: RuntimeUnderTest;
    let driver: RuntimeDriver;
    let slug: Slug;
    const exits: { id: string; exit: DynoExit }[] = [];
    const output: DynoOutput[] = [];
    const appId = `app-${randomBytes(4).toString('hex')}`;
    const appName = `contract-${randomBytes(3).toString('hex')}`;

    const spec = (dyno: string, command: string, env: Record<string, string> = {}): DynoSpec => ({
      id: `${dyno.replace('.', '-')}-${randomBytes(4).toString('hex')}`, appId, appName, name: dyno, type: dyno.split('.')[0],
      releaseVersion: 2, command, env, slug: slug.blob, size: 'basic',
    });
    const watch = (d: RuntimeDriver) => {
      d.onExit((id, exit) => exits.push({ id, exit }));
      d.onOutput((o) => output.push(o));
    };
    const linesOf = (id: string) => output.filter((o) => o.id === id).map((o) => o.line);
    /** The dyno's answer on its port; a dyno that never answers fails with what it printed and how it ended. */
    const answer = async (h: DynoHandle, path = '/') => waitFor(`${h.name} to answer on ${h.port}`, async () => {
      const r = await fetch(`http://${h.host}:${h.port}${path}`).catch(() => undefined);
      return r ? r.text() : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50 }).catch((err: Error) => {
      const exit = exits.find((e) => e.id === h.id);
      throw new Error(`${err.message}; its output: ${JSON.stringify(linesOf(h.id))}; ${exit ? `it exited: ${JSON.stringify(exit.exit)}` : 'no exit reported'}`);
    });

    before(async () => {
      rt = await setup();
      slug = await makeSlug(rt.dataDir, appId, { web: 'node server.js' });
      driver = rt.driver();
      watch(driver);
    });

    after(async () => {
      await driver?.close().catch(() => undefined);
      await rt?.cleanup();
    });

    test('a web dyno gets PORT, DYNO, PS and the config vars after .profile.d, answers on its port, and its output is reported line by line', async () => {
      const s = spec('web.1', 'echo "profile: $FROM_PROFILE ps=$PS"; exec node server.js', { GREETING: 'howdy' });
      const h = await driver.start(s);
      assert.deepEqual([h.id, h.name, h.type, h.releaseVersion], [s.id, 'web.1', 'web', 2]);
      assert.ok(isIP(h.host), `the dyno's address: ${h.host}`);
      assert.match(await answer(h), /^howdy from web\.1 pid \d+$/);
      await waitFor('the output lines', () => linesOf(s.id).includes(`listening on ${h.port}`) || linesOf(s.id).includes('listening on 5000'));
      assert.equal(linesOf(s.id)[0], 'profile: profile of web.1 ps=web.1');
      assert.ok(output.filter((o) => o.id === s.id).every((o) => o.appId === appId && o.name === 'web.1'));
      const stopped = await driver.stop(s.id, 5000);
      assert.equal(stopped.forced, undefined);
      assert.ok(!exits.some((e) => e.id === s.id), 'a stop is not reported as an exit of its own');
    });

    test('a dyno whose command exits is reported once with its status, and a restart reuses its id', async () => {
      const s = spec('web.1', 'node server.js');
      const h = await driver.start(s);
      assert.equal(await answer(h, '/crash'), 'bye');
      const e = await waitFor('the exit', () => exits.find((x) => x.id === s.id));
      assert.equal(e.exit.code, 3);
      const again = await driver.start(s);
      assert.equal(again.id, s.id);
      assert.match(await answer(again), /^hello from web\.1/);
      await driver.stop(s.id, 5000);
      assert.equal(exits.filter((x) => x.id === s.id).length, 1);
    });

    test('a command that ends at once still has every line told, before its exit', async () => {
      const s = spec('run.7', 'echo first; echo second');
      await driver.start(s);
      const e = await waitFor('the exit', () => exits.find((x) => x.id === s.id));
      assert.equal(e.exit.code, 0);
      // Lines are told before the exit is: both are here by the time the exit is.
      assert.deepEqual(linesOf(s.id), ['first', 'second']);
      await driver.stop(s.id, 5000);
    });

    test('stop sends SIGTERM: an app that handles it exits cleanly within the grace period', async () => {
      const s = spec('web.2', 'node server.js');
      const h = await driver.start(s);
      await answer(h);
      const started = Date.now();
      const exit = await driver.stop(s.id, 10_000);
      assert.ok(Date.now() - started < 5000, `stopped in ${Date.now() - started} ms`);
      assert.equal(exit.forced, undefined);
      await waitFor('the SIGTERM line', () => linesOf(s.id).includes('SIGTERM received'));
      // A container's address is gone with it: the connection fails (at once, or when the short wait ends).
      assert.equal((await fetch(`http://${h.host}:${h.port}/`, { signal: AbortSignal.timeout(1000) }).catch(() => null)), null, 'nothing listens any more');
    });

    test('stop sends SIGKILL once the grace period is over to an app that ignores SIGTERM (forced: R12)', async () => {
      const s = spec('worker.1', IGNORES_SIGTERM);
      await driver.start(s);
      await waitFor('the worker ready', () => linesOf(s.id).includes('ready'), { timeoutMs: 20_000 });
      const started = Date.now();
      const exit = await driver.stop(s.id, 700);
      const took = Date.now() - started;
      assert.equal(exit.forced, true);
      assert.ok(took >= 650 && took < 8000, `killed after ${took} ms`);
      assert.ok(linesOf(s.id).includes('ignoring SIGTERM'), 'the app saw SIGTERM first');
    });

    test('a new manager adopts running dynos and reports their later death from outside as an exit', async () => {
      const s = spec('web.3', 'node server.js');
      const h = await driver.start(s);
      await answer(h);
      await driver.close();
      driver = rt.driver();
      watch(driver);
      const adopted = await driver.list();
      const mine = adopted.find((a) => a.id === s.id);
      assert.ok(mine, `adopted ${adopted.map((a) => a.id).join(', ')}`);
      assert.deepEqual([mine.name, mine.type, mine.releaseVersion, mine.port, mine.appId, mine.appName, mine.command], ['web.3', 'web', 2, h.port, appId, appName, 'node server.js']);
      assert.match(await answer(mine), /^hello from web\.3/, 'adopting did not restart it');
      await rt.killFromOutside(mine);
      const e = await waitFor('the adopted dyno\'s exit', () => exits.find((x) => x.id === s.id), { timeoutMs: 20_000 });
      assert.notEqual(e.exit.code, 0);
      assert.ok(!(await driver.list()).some((a) => a.id === s.id));
    });

    test('an attached one-off dyno gets stdin, returns its output, and reports its exit status after the output', async () => {
      const s = spec('run.1234', 'read -r line; echo "got $line"; echo "to stderr" >&2; exit 3');
      const events: string[] = [];
      const done = new Promise<DynoExit>((resolve) => {
        void driver.startAttached(s, {
          onOutput: (chunk) => events.push(chunk.toString()),
          onExit: (exit) => { events.push('<exit>'); resolve(exit); },
        }).then((p) => { p.write(Buffer.from('hello\n')); p.end(); });
      });
      const exit = await done;
      assert.equal(exit.code, 3);
      const text = events.join('');
      assert.match(text, /got hello\n/);
      assert.match(text, /to stderr\n/);
      assert.equal(events.at(-1), '<exit>');
      assert.ok(!(await driver.list()).some((a) => a.id === s.id), 'attached dynos are never listed for adoption');
    });

    /** Runs an attached one-off dyno to its end; returns its output and exit. */
    const runAttached = (s: DynoSpec, input?: string) => new Promise<{ text: string; exit: DynoExit }>((resolve, reject) => {
      let text = '';
      driver.startAttached(s, {
        onOutput: (chunk) => { text += chunk.toString(); },
        onExit: (exit) => resolve({ text, exit }),
      }).then((p) => { if (input !== undefined) p.write(Buffer.from(input)); }, reject);
    });
    const ttyProbe = 'if test -t 0 && test -t 1; then echo is-a-tty; else echo not-a-tty; fi; exit 7';

    test('an attached dyno asked for a terminal runs in one: a tty of the size asked, stderr through it, the exit status kept', async () => {
      const s = { ...spec('run.2345', `${ttyProbe.replace('; exit 7', '')}; echo "to stderr" >&2; read -r line; echo "got $line"; exit 7`), tty: { columns: 111, rows: 33 } };
      const { text, exit } = await runAttached(s, 'typed\r');
      assert.equal(exit.code, 7);
      assert.match(text, /is-a-tty\r\n/, 'a terminal turns \\n into \\r\\n');
      assert.match(text, /to stderr\r\n/);
      assert.match(text, /got typed\r\n/);
    });

    test('a terminal gets its size (stty size)', async () => {
      const s = { ...spec('run.3456', 'stty size'), tty: { columns: 111, rows: 33 } };
      const { text, exit } = await runAttached(s);
      assert.equal(exit.code, 0, text);
      assert.match(text, /33 111/);
    });

    test('without a terminal asked for, an attached dyno has none', async () => {
      const { text, exit } = await runAttached(spec('run.4567', ttyProbe), '');
      assert.equal(exit.code, 7);
      assert.equal(text, 'not-a-tty\n');
    });
  });
}
