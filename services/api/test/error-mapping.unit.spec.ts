import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { conflict, illegalState, invalid, notFound, PaasError } from '@paas/contracts';
import { httpErrorOf } from '../src/http-errors.filter.js';
import { describeError } from '../src/grpc/grpc-errors.js';

describe('errors become Heroku bodies over HTTP and status codes over gRPC, with the same message', () => {
  const cases: [PaasError, number, number][] = [
    [notFound("Couldn't find that app."), 404, status.NOT_FOUND],
    [conflict('Name myapp is already taken'), 409, status.ALREADY_EXISTS],
    [invalid('name: Name must start with a letter'), 422, status.INVALID_ARGUMENT],
    [illegalState('Cannot roll back to v1: it has no slug'), 422, status.FAILED_PRECONDITION],
    [new PaasError('unauthorized', 'Invalid credentials provided.'), 401, status.UNAUTHENTICATED],
    [new PaasError('forbidden', 'Only the platform admin can create accounts.'), 403, status.PERMISSION_DENIED],
    [new PaasError('unavailable', 'The release service is not running.'), 503, status.UNAVAILABLE],
    [new PaasError('timeout', 'The release service did not answer.'), 503, status.DEADLINE_EXCEEDED],
  ];
  for (const [err, http, grpc] of cases) {
    test(`${err.id}: ${http} / gRPC ${grpc}`, () => {
      assert.deepEqual(httpErrorOf(err), { status: http, id: err.id, message: err.message });
      const g = describeError(err);
      assert.equal(g.code, grpc);
      assert.equal(g.message, err.message);
    });
  }

  test('a wrong field is 422 invalid_params naming the field', () => {
    const r = z.object({ quantity: z.number() }).safeParse({ quantity: 'x' });
    const mapped = httpErrorOf(r.error);
    assert.equal(mapped.status, 422);
    assert.equal(mapped.id, 'invalid_params');
    assert.match(mapped.message, /^quantity: /);
  });

  test('malformed JSON is 400 bad_request', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected end of JSON input'), { type: 'entity.parse.failed', status: 400 });
    assert.deepEqual(httpErrorOf(parseError).status, 400);
    assert.deepEqual(httpErrorOf(parseError).id, 'bad_request');
  });

  test('an unknown route is Heroku\'s not_found; anything unexpected is a 500 that reveals nothing', () => {
    assert.equal(httpErrorOf(new NotFoundException()).id, 'not_found');
    assert.deepEqual(httpErrorOf(new Error('secret detail')), { status: 500, id: 'internal', message: 'Internal server error.' });
  });
});
