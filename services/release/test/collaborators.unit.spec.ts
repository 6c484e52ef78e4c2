import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import type { AppCommand } from '../src/domain/decide.js';
import { initialState } from '../src/domain/app-state.js';
import { APP_ID, create, destroy, given, OWNER, when } from './domain-fixtures.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));
const add = (email: string, accountExists = true): AppCommand => ({ type: 'AddCollaborator', email, accountExists, by: OWNER });
const remove = (email: string): AppCommand => ({ type: 'RemoveCollaborator', email, by: OWNER });

describe('collaborators on an app', () => {
  test('given an app, when an existing account is added (any case), then CollaboratorAdded with the email lowercased', () => {
    assert.deepEqual(when(given(create()), add('Dev@Example.com')), [
      { type: 'CollaboratorAdded', data: { appName: 'myapp', email: 'dev@example.com', by: OWNER } },
    ]);
  });

  test('given an app, when an unknown account is added, then it is not_found', () => {
    assert.throws(() => when(given(create()), add('ghost@example.com', false)), typed('not_found', /ghost@example\.com/));
  });

  test('given a collaborator, when added again, then it is a conflict; so is adding the owner', () => {
    assert.throws(() => when(given(create(), add('dev@example.com')), add('DEV@example.com')),
      typed('conflict', /^dev@example\.com is already a collaborator on this app\.$/));
    assert.throws(() => when(given(create()), add(OWNER)), typed('conflict', /^admin@paas\.local is already a collaborator on this app\.$/));
  });

  test('given a collaborator, when removed, then CollaboratorRemoved and the state forgets it', () => {
    const state = given(create(), add('dev@example.com'));
    assert.deepEqual(state.collaborators, ['dev@example.com']);
    assert.deepEqual(when(state, remove('dev@example.com')), [
      { type: 'CollaboratorRemoved', data: { appName: 'myapp', email: 'dev@example.com', by: OWNER } },
    ]);
    assert.deepEqual(given(create(), add('dev@example.com'), remove('dev@example.com')).collaborators, []);
  });

  test('given an app, when the owner is removed, then it is illegal_state', () => {
    assert.throws(() => when(given(create()), remove(OWNER)), typed('illegal_state', /^The owner of an app cannot be removed\.$/));
  });

  test('given an app, when a non-collaborator is removed, then it is not_found', () => {
    assert.throws(() => when(given(create()), remove('dev@example.com')), typed('not_found', /not a collaborator/));
  });

  test('given no app or a destroyed one, when a collaborator is added, then the app is not_found', () => {
    assert.throws(() => when(initialState(APP_ID), add('dev@example.com')), typed('not_found', /app/));
    assert.throws(() => when(given(create(), destroy()), add('dev@example.com')), typed('not_found', /app/));
  });
});
