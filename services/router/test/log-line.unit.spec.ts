import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { routerLogLine } from '../src/domain/log-line.js';

const base = { method: 'GET', path: '/', host: 'myapp.localhost', requestId: 'r1', fwd: '127.0.0.1', protocol: 'http' as const };

describe('heroku[router] log line', () => {
  test('given a served request, when formatted, then Heroku\'s at=info line', () => {
    const line = routerLogLine({ ...base, status: 200, dyno: 'web.1', connectMs: 0.4, serviceMs: 3, bytes: 13 });
    assert.equal(line, 'at=info method=GET path="/" host=myapp.localhost request_id=r1 fwd="127.0.0.1" dyno=web.1 connect=0ms service=3ms status=200 bytes=13 protocol=http');
  });

  test('given an H14, when formatted, then at=error with code and desc and blank dyno fields', () => {
    const line = routerLogLine({ ...base, status: 503, code: 'H14' });
    assert.equal(line, 'at=error code=H14 desc="No web processes running" method=GET path="/" host=myapp.localhost request_id=r1 fwd="127.0.0.1" dyno= connect= service= status=503 bytes= protocol=http');
  });

  test('given a path with quotes, when formatted, then they are escaped so fields cannot be forged', () => {
    const line = routerLogLine({ ...base, path: '/a" status=200 x="', status: 404 });
    assert.match(line, /path="\/a\\" status=200 x=\\""/);
  });
});
