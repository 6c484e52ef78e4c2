import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appNameFromHost, clientAddress, hostWithoutPort } from '../src/domain/host.js';

describe('which app a Host header names', () => {
  test('given <app>.<domain>, when parsed, then the app name', () => {
    assert.equal(appNameFromHost('myapp.localhost', 'localhost'), 'myapp');
  });

  test('given a port, upper case and a trailing dot, when parsed, then the same app', () => {
    assert.equal(appNameFromHost('MyApp.LocalHost:8080', 'localhost'), 'myapp');
    assert.equal(appNameFromHost('myapp.apps.example.com.', 'apps.example.com'), 'myapp');
  });

  test('given another domain, a deeper subdomain, the bare domain or no header, when parsed, then no app', () => {
    assert.equal(appNameFromHost('myapp.example.com', 'localhost'), null);
    assert.equal(appNameFromHost('www.myapp.localhost', 'localhost'), null);
    assert.equal(appNameFromHost('localhost:8080', 'localhost'), null);
    assert.equal(appNameFromHost('.localhost', 'localhost'), null);
    assert.equal(appNameFromHost('myapplocalhost', 'localhost'), null);
    assert.equal(appNameFromHost(undefined, 'localhost'), null);
    assert.equal(appNameFromHost('[::1]:8080', 'localhost'), null);
  });

  test('given IPv6 and IPv4 hosts with ports, when the port is stripped, then the host stays whole', () => {
    assert.equal(hostWithoutPort('[::1]:8080'), '[::1]');
    assert.equal(hostWithoutPort('127.0.0.1:80'), '127.0.0.1');
    assert.equal(hostWithoutPort('a.localhost'), 'a.localhost');
  });

  test('given an IPv4-mapped IPv6 peer, when shown, then as IPv4; plain IPv6 stays', () => {
    assert.equal(clientAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(clientAddress('::1'), '::1');
    assert.equal(clientAddress(undefined), 'unknown');
  });
});
