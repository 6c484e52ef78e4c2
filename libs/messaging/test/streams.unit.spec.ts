import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryStorageRace } from '../src/streams.js';

test('a stream creation that lost the storage-directory race is tried again', async () => {
  let calls = 0;
  const result = await retryStorageRace(async () => {
    calls++;
    if (calls < 3) throw new Error('error creating store for stream');
    return 'created';
  });
  assert.equal(result, 'created');
  assert.equal(calls, 3);
});

test('any other error is not retried', async () => {
  let calls = 0;
  await assert.rejects(retryStorageRace(async () => {
    calls++;
    throw new Error('insufficient resources');
  }), /insufficient resources/);
  assert.equal(calls, 1);
});

test('the race is given up after the last try, with its error', async () => {
  let calls = 0;
  await assert.rejects(retryStorageRace(async () => {
    calls++;
    throw new Error('could not create storage directory');
  }, 3), /could not create storage directory/);
  assert.equal(calls, 3);
});
