import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogfmt, parseRouterLine } from '../src/router-log.js';

describe('Heroku\'s router log format', () => {
  test('given Heroku\'s documented info line, when parsed, then every field comes out typed', () => {
    const l = parseRouterLine('at=info method=GET path="/" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13 protocol=https');
    assert.deepEqual(l, {
      at: 'info', code: null, desc: null, method: 'GET', path: '/', host: 'myapp.herokuapp.com', requestId: '8601b555-6a83-4c12-8269-97c8e32cdb22',
      fwd: '204.204.204.204', dyno: 'web.1', connectMs: 1, serviceMs: 18, status: 200, bytes: 13, protocol: 'https',
    });
  });

  test('given an error line with code and quoted description, when parsed, then code and desc are kept', () => {
    const l = parseRouterLine('at=error code=H12 desc="Request timeout" method=GET path="/slow" host=myapp.localhost request_id=r1 fwd="127.0.0.1" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=http')!;
    assert.equal(l.at, 'error');
    assert.equal(l.code, 'H12');
    assert.equal(l.desc, 'Request timeout');
    assert.equal(l.serviceMs, 30000);
    assert.equal(l.status, 503);
  });

  test('given an error line with blank fields (no dyno answered), when parsed, then they are null', () => {
    const l = parseRouterLine('at=error code=H10 desc="App crashed" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=')!;
    assert.deepEqual([l.dyno, l.connectMs, l.serviceMs, l.bytes, l.requestId, l.protocol], [null, null, null, null, null, null]);
    assert.equal(l.fwd, '17.17.17.17');
  });

  test('given a path with quotes, backslashes and spaces, when parsed, then the escapes are undone and no field is forged', () => {
    const l = parseRouterLine('at=info method=GET path="/a\\"b\\\\c d status=999" host=h request_id=x fwd="1.2.3.4" dyno=web.2 connect=0ms service=1ms status=404 bytes=9 protocol=http')!;
    assert.equal(l.path, '/a"b\\c d status=999');
    assert.equal(l.status, 404);
  });

  test('given text that is not a router line, when parsed, then nothing comes back', () => {
    assert.equal(parseRouterLine('State changed from starting to up'), undefined);
    assert.equal(parseRouterLine('at=info method=GET'), undefined);
    assert.equal(parseRouterLine('at=warn method=GET path="/" host=h status=200'), undefined);
    assert.equal(parseLogfmt('a=1 b="unterminated'), undefined);
    assert.deepEqual([...parseLogfmt('a=1 b="two words" c=')!], [['a', '1'], ['b', 'two words'], ['c', '']]);
  });
});
