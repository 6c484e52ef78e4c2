import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PaasError } from '@paas/contracts';
import { initialState } from '../src/domain/app-state.js';
import { hostnameProblem } from '../src/domain/domains.js';
import { addDomain, APP_ID, create, destroy, given, OWNER, removeDomain, setConfig, when } from './domain-fixtures.js';

const typed = (id: string, message?: RegExp) => (e: PaasError) => e.id === id && (!message || message.test(e.message));

describe('adding a custom domain', () => {
  test('given an app, when a domain is added, then DomainAdded and no release', () => {
    assert.deepEqual(when(given(create()), addDomain('www.example.com')), [
      { type: 'DomainAdded', data: { appName: 'myapp', hostname: 'www.example.com', kind: 'custom', by: OWNER } },
    ]);
  });

  test('given an app, when the hostname has capitals or a trailing dot, then it is stored lowercase without the dot', () => {
    const [added] = when(given(create()), addDomain('WWW.Example.COM.'));
    assert.equal((added!.data as { hostname: string }).hostname, 'www.example.com');
  });

  test('given an app, when a wildcard domain is added, then it is accepted', () => {
    const [added] = when(given(create()), addDomain('*.example.com'));
    assert.equal((added!.data as { hostname: string }).hostname, '*.example.com');
  });

  test('given the app has the domain, when it is added again (any case), then it is a conflict', () => {
    assert.throws(() => when(given(create(), addDomain('www.example.com')), addDomain('WWW.example.com')),
      typed('conflict', /^Domain already added to this app\.$/));
  });

  test('given the domain was removed, when it is added again, then it is added', () => {
    const state = given(create(), addDomain('www.example.com'), removeDomain('www.example.com'));
    assert.deepEqual(state.domains, []);
    assert.equal(when(state, addDomain('www.example.com'))[0]!.type, 'DomainAdded');
  });

  test('given no app or a destroyed one, when a domain is added, then it is not_found', () => {
    assert.throws(() => when(initialState(APP_ID), addDomain('www.example.com')), typed('not_found', /app/));
    assert.throws(() => when(given(create(), destroy()), addDomain('www.example.com')), typed('not_found', /app/));
  });

  test('given an app, when the hostname breaks a rule, then it is invalid_params saying which', () => {
    const cases: [string, RegExp][] = [
      ['localhost', /at least two labels/],
      ['exa_mple.com', /letters, digits and dashes/],
      ['www..example.com', /empty label/],
      ['.example.com', /empty label/],
      ['-www.example.com', /start or end with a dash/],
      [`${'a'.repeat(64)}.com`, /at most 63/],
      [`${'a.'.repeat(127)}com`, /at most 253/],
      ['1.2.3.4', /IP address/],
      ['::1', /IP address/],
      ['www.example.com:8080', /port/],
      ['www.*.example.com', /wildcard/],
      ['*.com', /at least two labels/],
      ['', /empty/],
    ];
    for (const [hostname, why] of cases) {
      assert.throws(() => when(given(create()), addDomain(hostname)), typed('invalid_params', why), hostname);
    }
  });

  test('the rules accept ordinary hostnames, long ones up to the limits, and digits in labels', () => {
    for (const ok of ['example.com', 'a-b.example.co.uk', '123.example.com', `${'a'.repeat(63)}.com`, `${'a.'.repeat(125)}com`]) {
      assert.equal(hostnameProblem(ok), null, ok);
    }
  });
});

describe('removing a custom domain', () => {
  test('given the app has the domain, when it is removed, then DomainRemoved and no release', () => {
    const state = given(create(), setConfig({ A: '1' }), addDomain('www.example.com'));
    assert.deepEqual(when(state, removeDomain('WWW.EXAMPLE.COM')), [
      { type: 'DomainRemoved', data: { appName: 'myapp', hostname: 'www.example.com', by: OWNER } },
    ]);
  });

  test('given the app lacks the domain, when it is removed, then it is not_found', () => {
    assert.throws(() => when(given(create(), addDomain('a.example.com')), removeDomain('b.example.com')),
      typed('not_found', /^Couldn't find that domain\.$/));
  });

  test('given domains added and removed, then the state keeps the rest in the order they were added', () => {
    const state = given(create(), addDomain('a.example.com'), addDomain('b.example.com'), addDomain('c.example.com'), removeDomain('b.example.com'));
    assert.deepEqual(state.domains, ['a.example.com', 'c.example.com']);
    assert.equal(state.releases.length, 1, 'domains make no release');
  });
});
