import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drainTarget, drainUrlProblem, redactDrainUrl } from '../src/log-drains.js';

describe('drain URLs', () => {
  test('given URLs of the accepted schemes, when checked, then there is no problem', () => {
    for (const url of ['syslog+tls://logs.example.com:6514', 'syslog+tcp://127.0.0.1:514', 'syslog://logs.example.com', 'https://u:p@logs.example.com/x?y=1', 'syslog+tcp://[::1]:514']) {
      assert.equal(drainUrlProblem(url), null, url);
    }
  });

  test('given other URLs, when checked, then the problem is named without repeating the URL', () => {
    assert.match(drainUrlProblem('http://logs.example.com')!, /scheme "http" is not accepted/);
    assert.match(drainUrlProblem('logs.example.com')!, /not a URL|scheme/);
    assert.match(drainUrlProblem('not a url')!, /not a URL/);
    assert.match(drainUrlProblem('syslog+tls://logs.example.com:6514/x')!, /no path or query/);
    assert.match(drainUrlProblem(`https://logs.example.com/${'x'.repeat(3000)}`)!, /at most 2048/);
    assert.ok(!drainUrlProblem('ftp://user:hunter2@x')!.includes('hunter2'));
  });

  test('given an accepted URL, when targeted, then transport, host and port (with Heroku\'s defaults) come out', () => {
    assert.deepEqual(pick(drainTarget('syslog+tls://logs.example.com')), ['syslog-tls', 'logs.example.com', 6514]);
    assert.deepEqual(pick(drainTarget('syslog://logs.example.com')), ['syslog-tcp', 'logs.example.com', 514]);
    assert.deepEqual(pick(drainTarget('syslog+tcp://[::1]:1514')), ['syslog-tcp', '::1', 1514]);
    assert.deepEqual(pick(drainTarget('https://u:p@127.0.0.1/logs')), ['https', '127.0.0.1', 443]);
  });

  test('given a URL with credentials, a path or a query, when redacted, then only scheme, host and port remain', () => {
    assert.equal(redactDrainUrl('https://user:pw@logs.example.com:8443/x?token=t'), 'https://logs.example.com:8443/...');
    assert.equal(redactDrainUrl('syslog+tls://logs.example.com:6514'), 'syslog+tls://logs.example.com:6514');
    assert.equal(redactDrainUrl('garbage'), '(not a URL)');
  });
});

function pick(t: ReturnType<typeof drainTarget>): [string, string, number] {
  return [t.transport, t.host, t.port];
}
