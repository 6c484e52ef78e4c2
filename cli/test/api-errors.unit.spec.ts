import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError } from '../src/api-client.js';

describe('API error answers as CLI errors', () => {
  const missingApp = { id: 'not_found', message: "Couldn't find that app." };

  test('given a missing app, when any of its resources answers 404, then the error says how to list the apps', () => {
    for (const path of ['/apps/gone', '/apps/gone/formation', '/apps/gone/domains']) {
      assert.equal(apiError(404, missingApp, 'GET', path).message, "Couldn't find that app. List your apps with `paas apps`.", path);
    }
  });

  test('given another missing thing, or no app path, when it answers 404, then its message alone', () => {
    assert.equal(apiError(404, { id: 'not_found', message: "Couldn't find that domain." }, 'DELETE', '/apps/a/domains/x.example.com').message, "Couldn't find that domain.");
    assert.equal(apiError(404, missingApp, 'GET', '/account').message, "Couldn't find that app.");
    assert.equal(apiError(500, undefined, 'GET', '/apps/a').message, 'GET /apps/a answered HTTP 500');
    assert.match(apiError(401, { id: 'unauthorized', message: 'Invalid credentials provided.' }, 'GET', '/apps').message, /paas login/);
  });
});
