import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '@paas/contracts';
import { certificateErrorLine, isCertificateError } from '../src/logs/drains/domain/certificate-error.js';
import { DrainBuffer, overflowLine } from '../src/logs/drains/domain/drain-buffer.js';
import { frames, octetFrame, parseFrames, priority, syslogMessage } from '../src/logs/drains/domain/syslog-frame.js';

const TOKEN = 'd.9173ea1f-6f14-4976-9cf0-7cd0dafdcdbc';
const at = (i: number): LogLine => ({ ts: `2026-11-24T21:00:${String(i).padStart(2, '0')}.123456Z`, source: 'app', dyno: 'web.1', line: `line ${i}` });

describe('syslog messages as Logplex sends them to drains', () => {
  test('given an app line, when framed, then <PRI>1 TIMESTAMP TOKEN SOURCE DYNO - - MESSAGE with a newline', () => {
    assert.equal(syslogMessage(at(1), TOKEN), `<190>1 2026-11-24T21:00:01.123456+00:00 ${TOKEN} app web.1 - - line 1\n`);
  });

  test('given router, dyno state and logplex lines, when framed, then each has its facility', () => {
    assert.equal(priority({ source: 'heroku', dyno: 'router' }), 158);
    assert.equal(priority({ source: 'heroku', dyno: 'web.1' }), 134);
    assert.equal(priority({ source: 'heroku', dyno: 'logplex' }), 172);
    assert.equal(priority({ source: 'app', dyno: 'api' }), 190);
  });

  test('given a message with multibyte characters, when octet-counted, then the count is in bytes', () => {
    const m = syslogMessage({ ...at(2), line: 'héllo ✓' }, TOKEN);
    const f = octetFrame(m);
    assert.equal(f, `${Buffer.byteLength(m)} ${m}`);
    assert.notEqual(Buffer.byteLength(m), m.length);
  });

  test('given a line with line breaks, when framed, then it stays one message', () => {
    assert.match(syslogMessage({ ...at(3), line: 'a\nb\r\nc' }, TOKEN), / - - a b c\n$/);
  });

  test('given several lines, when framed and read back, then every field survives, split across reads too', () => {
    const lines = [at(1), { ...at(2), source: 'heroku' as const, dyno: 'router', line: 'at=info method=GET path="/" status=200' }];
    const body = Buffer.from(frames(lines, TOKEN));
    const whole = parseFrames(body);
    assert.equal(whole.rest.length, 0);
    assert.deepEqual(whole.frames.map((f) => [f.pri, f.host, f.appName, f.procId, f.message]), [
      [190, TOKEN, 'app', 'web.1', 'line 1'], [158, TOKEN, 'heroku', 'router', 'at=info method=GET path="/" status=200'],
    ]);
    const cut = parseFrames(body.subarray(0, body.length - 5));
    assert.equal(cut.frames.length, 1);
    assert.ok(cut.rest.length > 0);
  });
});

describe('a drain\'s bounded buffer', () => {
  const T0 = Date.UTC(2026, 10, 24, 21, 0, 0);

  test('given room, when lines are pushed and taken, then they come out in order, in batches', () => {
    const b = new DrainBuffer(10);
    for (let i = 0; i < 5; i++) b.push(at(i), T0);
    assert.deepEqual(b.take(3, T0).lines.map((l) => l.line), ['line 0', 'line 1', 'line 2']);
    assert.deepEqual(b.take(3, T0).lines.map((l) => l.line), ['line 3', 'line 4']);
    assert.equal(b.pending, false);
  });

  test('given a full buffer, when more lines come, then the oldest go and the next batch opens with an L10 line', () => {
    const b = new DrainBuffer(3);
    b.push(at(0), T0);
    b.push(at(1), T0);
    b.push(at(2), T0);
    b.push(at(3), T0 + 1500);
    b.push(at(4), T0 + 2500);
    assert.equal(b.size, 3);
    const batch = b.take(10, T0 + 3000);
    assert.equal(batch.reported, 2);
    assert.deepEqual(batch.lines.map((l) => `${l.source}[${l.dyno}]: ${l.line}`), [
      'heroku[logplex]: Error L10 (output buffer overflow): 2 messages dropped since 2026-11-24T21:00:01+00:00.',
      'app[web.1]: line 2', 'app[web.1]: line 3', 'app[web.1]: line 4',
    ]);
    assert.equal(b.take(10, T0).reported, 0);
  });

  test('given a lost batch, when counted as lost, then the next batch reports it', () => {
    const b = new DrainBuffer(5);
    b.lose(7, T0);
    assert.equal(b.pending, true);
    const { lines, reported } = b.take(1, T0);
    assert.equal(reported, 7);
    assert.match(lines[0]!.line, /^Error L10 \(output buffer overflow\): 7 messages dropped since 2026-11-24T21:00:00\+00:00\.$/);
  });

  test('given a capacity under one line, when made, then it is refused', () => {
    assert.throws(() => new DrainBuffer(0));
    assert.equal(overflowLine(1, T0, T0).dyno, 'logplex');
  });
});

describe('a drain certificate that is not trusted', () => {
  test('given TLS verification errors, when classified, then they are certificate errors; others are not', () => {
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      assert.ok(isCertificateError(Object.assign(new Error('x'), { code })), code);
    }
    assert.ok(!isCertificateError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })));
    assert.ok(!isCertificateError(new Error('plain')));
    assert.ok(!isCertificateError(undefined));
  });

  test('given a refused certificate, when reported, then the app reads an L14 line naming the drain by token and redacted URL', () => {
    const l = certificateErrorLine(TOKEN, 'syslog+tls://logs.example.com:6514', 'self-signed certificate', Date.UTC(2026, 10, 24));
    assert.equal(l.source, 'heroku');
    assert.equal(l.dyno, 'logplex');
    assert.match(l.line, /^Error L14 \(certificate validation error\): drain d\.9173ea1f-6f14-4976-9cf0-7cd0dafdcdbc \(syslog\+tls:\/\/logs\.example\.com:6514\): self-signed certificate\./);
  });
});
