import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTenantEgress, parseAllowList } from '../src/address-guard.js';
import { firewallScript, tenantNames } from '../src/firewall.js';
import { redisAuthAccepted, redisFirstCommand } from '../src/redis-gate.js';
import { tenantCommand } from '../src/tenant-command.js';
import { envForTenant, loopbackAddonServers, routerPorts } from '../src/tenant-env.js';

const resp = (...args: string[]) => Buffer.from(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`);

describe('tenant networks: names and firewall', () => {
  test('names fit Linux (a bridge of 15 characters at most) and differ by scope and kind', () => {
    const a = tenantNames('paas', 'dynos');
    assert.equal(a.network, 'paas-dynos');
    assert.ok(a.bridge.length <= 15, a.bridge);
    assert.notEqual(a.bridge, tenantNames('paas', 'builds').bridge);
    assert.notEqual(a.table, tenantNames('e2eabc', 'dynos').table);
  });

  test('the firewall replaces its table whole, lets replies in, the gateway\'s ports at the gateway only and the router\'s anywhere, drops the rest, its own traffic and metadata', () => {
    const script = firewallScript({ table: 'paas_dynos_x', bridge: 'paasd-x', gateway: '172.20.0.1', gatewayPorts: [6379, 5432, 5432], hostPorts: [8080] });
    const lines = script.split('\n').map((l) => l.trim());
    assert.deepEqual(lines.slice(0, 2), ['table inet paas_dynos_x', 'delete table inet paas_dynos_x']);
    const input = lines.slice(lines.indexOf('chain input {'), lines.indexOf('chain forward {'));
    assert.deepEqual(input.slice(2, 6), [
      'iifname "paasd-x" ct state established,related accept',
      'iifname "paasd-x" ip daddr 172.20.0.1 tcp dport { 5432, 6379 } accept',
      'iifname "paasd-x" tcp dport { 8080 } accept',
      'iifname "paasd-x" drop',
    ]);
    assert.ok(lines.includes('iifname "paasd-x" oifname "paasd-x" drop'));
    assert.ok(lines.includes('iifname "paasd-x" ip daddr 169.254.0.0/16 drop'));
    assert.ok(!firewallScript({ table: 't', bridge: 'b', gateway: '10.0.0.1', gatewayPorts: [], hostPorts: [] }).includes('dport'), 'no open ports: no accept line');
  });
});

describe('add-on relays: what tenants may reach and how Redis is gated', () => {
  test('the router\'s ports are open anywhere; add-on servers on loopback are relayed', () => {
    assert.deepEqual([routerPorts({}), routerPorts({ PAAS_ROUTER_PORT: '80', PAAS_ROUTER_TLS_PORT: '443' })], [[8080], [80, 443]]);
    assert.deepEqual(loopbackAddonServers({}).map((s) => `${s.kind}@${s.host}:${s.port}`), ['postgres@127.0.0.1:5432', 'redis@127.0.0.1:6379']);
    assert.deepEqual(loopbackAddonServers({ PAAS_ADDON_POSTGRES_URL: 'postgres://db.internal:5432/postgres', PAAS_ADDON_REDIS_URL: 'redis://localhost:6380' }).map((s) => `${s.kind}@${s.host}:${s.port}`), ['redis@127.0.0.1:6380']);
  });

  test('a loopback URL at a relayed port names the gateway in the tenant\'s environment', () => {
    assert.deepEqual(envForTenant({ A: 'redis://u:p@127.0.0.1:6379', B: 'redis://u:p@127.0.0.1:6390', C: 'not a url' }, '10.0.0.1', [6379]), { A: 'redis://u:p@10.0.0.1:6379', B: 'redis://u:p@127.0.0.1:6390', C: 'not a url' });
  });

  test('Redis: only AUTH or HELLO AUTH as a named user passes; default, other commands and inline ones are refused', () => {
    assert.deepEqual(redisFirstCommand(resp('AUTH', 'redis-a', 'pw')), { kind: 'pass', length: resp('AUTH', 'redis-a', 'pw').length });
    assert.equal(redisFirstCommand(resp('HELLO', '3', 'AUTH', 'redis-a', 'pw')).kind, 'pass');
    for (const refused of [resp('AUTH', 'pw'), resp('AUTH', 'default', 'pw'), resp('PING'), resp('HELLO', '3'), Buffer.from('PING\r\n'), resp('HELLO', '3', 'AUTH', 'default', 'x')]) {
      const v = redisFirstCommand(refused);
      assert.equal(v.kind, 'refuse', refused.toString());
      assert.match((v as { reply: string }).reply, /^-NOAUTH /);
    }
    const full = resp('AUTH', 'redis-a', 'pw');
    assert.equal(redisFirstCommand(full.subarray(0, full.length - 3)).kind, 'more', 'half a command waits for the rest');
    assert.equal(redisFirstCommand(Buffer.alloc(5000, 0x2a)).kind, 'refuse', 'a first command that never ends is refused');
    assert.deepEqual([redisAuthAccepted(Buffer.from('+OK\r\n')), redisAuthAccepted(Buffer.from('-WRONGPASS\r\n')), redisAuthAccepted(Buffer.alloc(0))], [true, false, 'more']);
  });
});

describe('builds\' egress: where the proxy lets a build go', () => {
  const allow = parseAllowList('127.0.0.1:8000', 'PAAS_BUILD_ALLOWED_HOSTS');
  const local = ['127.0.0.1', '192.0.2.2', '172.20.0.1'];
  const check = (host: string, port: number, addresses: string[]) => checkTenantEgress({ host, port }, addresses, allow, local);

  test('wherever a build could connect by itself: public, private LAN and reserved addresses alike', () => {
    for (const a of ['151.101.1.35', '10.1.2.3', '203.0.113.80']) assert.deepEqual(check('registry.example', 443, [a]), { ok: true, address: a });
  });

  test('this host and metadata only where the operator allowed that host:port', () => {
    assert.equal(check('127.0.0.1', 8000, ['127.0.0.1']).ok, true);
    for (const [host, port, a] of [['127.0.0.1', 4222, '127.0.0.1'], ['localhost', 5432, '::1'], ['gw', 5000, '172.20.0.1'], ['me', 22, '192.0.2.2'], ['metadata', 80, '169.254.169.254']] as const) {
      const v = check(host, port, [a]);
      assert.equal(v.ok, false, `${host}:${port}`);
      assert.match((v as { reason: string }).reason, /PAAS_BUILD_ALLOWED_HOSTS=/);
    }
    assert.equal(check('mixed', 443, ['151.101.1.35', '127.0.0.1']).ok, false, 'every address must pass');
  });
});

describe('app users: the command line that drops to the app\'s user within its limits', () => {
  test('setpriv to the uid and gid without groups or new privileges, then prlimit', () => {
    assert.deepEqual(tenantCommand(2000000007, { memoryMb: 1024, processes: 4096, files: 10000 }, ['sh', '-c', 'x']), [
      'setpriv', '--reuid=2000000007', '--regid=2000000007', '--clear-groups', '--no-new-privs', '--',
      'prlimit', `--data=${1024 * 1024 * 1024}`, '--nproc=4096', '--nofile=10000', '--', 'sh', '-c', 'x',
    ]);
    assert.deepEqual(tenantCommand(undefined, { memoryMb: 1, processes: 2, files: 3 }, ['x']), ['prlimit', `--data=${1024 * 1024}`, '--nproc=2', '--', 'x']);
  });
});
