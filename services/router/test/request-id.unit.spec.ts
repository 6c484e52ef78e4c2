import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requestIdFor } from '../src/domain/request-id.js';

const fresh = () => 'fresh-uuid';

describe('the request id passed to the dyno', () => {
  test('given a client id of up to 200 allowed characters, when chosen, then it is kept', () => {
    assert.equal(requestIdFor('abc-DEF_123+/=', fresh), 'abc-DEF_123+/=');
    assert.equal(requestIdFor('a'.repeat(200), fresh), 'a'.repeat(200));
  });

  test('given a client id over 200 characters, when chosen, then a new one replaces it', () => {
    assert.equal(requestIdFor('a'.repeat(201), fresh), 'fresh-uuid');
  });

  test('given characters outside [A-Za-z0-9+=/_-], when chosen, then a new one replaces it', () => {
    for (const bad of ['has space', 'semi;colon', 'quote"', 'dot.ted', 'ünï', '']) {
      assert.equal(requestIdFor(bad, fresh), 'fresh-uuid', bad);
    }
  });

  test('given no id or two of them, when chosen, then a new one', () => {
    assert.equal(requestIdFor(undefined, fresh), 'fresh-uuid');
    assert.equal(requestIdFor(['one', 'two'], fresh), 'fresh-uuid');
  });
});
