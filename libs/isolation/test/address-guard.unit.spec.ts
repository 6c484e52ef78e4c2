import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAddresses, curlResolveEntry, parseAllowList, urlTarget, type OwnListeners } from '../src/address-guard.js';

const own: OwnListeners = { ports: [5000, 5443, 8080], portRanges: [[20000, 29999]], localAddresses: ['127.0.0.1', '::1', '192.168.7.20'] };
const target = (url: string) => urlTarget(new URL(url));
const refused = (url: string, addresses: string[], allow = '') => {
  const v = checkAddresses(target(url), addresses, parseAllowList(allow), own);
  assert.equal(v.ok, false, `${url} -> ${addresses.join(',')} should be refused`);
  return (v as { reason: string }).reason;
};
const allowed = (url: string, addresses: string[], allow = '') => {
  const v = checkAddresses(target(url), addresses, parseAllowList(allow), own);
  assert.equal(v.ok, true, `${url} -> ${addresses.join(',')}: ${(v as { reason?: string }).reason}`);
  return (v as { address: string }).address;
};

describe('the repository address guard', () => {
  test('public unicast addresses are fetched from, pinned to the first one', () => {
    assert.equal(allowed('https://git.example.com/team/app.git', ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']), '93.184.216.34');
    assert.deepEqual(target('https://git.example.com/a.git'), { host: 'git.example.com', port: 443 });
    assert.deepEqual(target('http://GIT.example.com:8080/a.git'), { host: 'git.example.com', port: 8080 });
  });

  test('loopback, private, unique-local, link-local (the metadata address too), unspecified, multicast and CGNAT are refused, saying how to allow them', () => {
    assert.match(refused('http://169.254.169.254/x.git', ['169.254.169.254']), /169\.254\.169\.254, the link-local address of cloud metadata services.*PAAS_REPO_ALLOWED_HOSTS=169\.254\.169\.254:80/);
    assert.match(refused('http://git.local/x.git', ['127.0.0.1']), /resolves to 127\.0\.0\.1, a loopback address/);
    assert.match(refused('http://git.local/x.git', ['10.0.0.5']), /private \(RFC 1918\)/);
    assert.match(refused('http://git.local/x.git', ['172.20.1.1']), /private/);
    assert.match(refused('http://git.local/x.git', ['192.168.1.1']), /private/);
    assert.match(refused('http://git.local/x.git', ['fd12:3456::1']), /unique-local/);
    assert.match(refused('http://git.local/x.git', ['fe80::1']), /link-local/);
    assert.match(refused('http://git.local/x.git', ['169.254.10.10']), /link-local/);
    assert.match(refused('http://git.local/x.git', ['0.0.0.0']), /unspecified/);
    assert.match(refused('http://git.local/x.git', ['::']), /unspecified/);
    assert.match(refused('http://git.local/x.git', ['224.0.0.1']), /multicast/);
    assert.match(refused('http://git.local/x.git', ['ff02::1']), /multicast/);
    assert.match(refused('http://git.local/x.git', ['100.64.0.1']), /100\.64\.0\.0\/10/);
    assert.match(refused('http://[::1]:8081/x.git', ['::1']), /\[::1\]:8081 resolves to ::1, a loopback address/);
  });

  test('an IPv4-mapped IPv6 address is judged as the IPv4 address it carries', () => {
    assert.match(refused('http://git.local/x.git', ['::ffff:169.254.169.254']), /metadata/);
    assert.match(refused('http://git.local/x.git', ['::ffff:7f00:1']), /loopback/);
  });

  test('every address must pass: a name resolving to a public and a private address is refused', () => {
    assert.match(refused('http://mixed.example.com/x.git', ['93.184.216.34', '10.0.0.1']), /10\.0\.0\.1/);
    assert.match(refused('http://nothing.example.com/x.git', []), /does not resolve/);
  });

  test('the operator allows internal hosts by host:port (name or address) and by CIDR', () => {
    assert.equal(allowed('http://127.0.0.1:9418/x.git', ['127.0.0.1'], '127.0.0.1:9418'), '127.0.0.1');
    allowed('http://git.internal:8080/x.git', ['10.1.2.3'], 'git.internal:8080');
    allowed('http://git.internal:8080/x.git', ['10.1.2.3'], '10.1.2.3:8080');
    allowed('https://git.internal/x.git', ['10.1.2.3'], '10.1.0.0/16');
    allowed('https://git.internal/x.git', ['fd00::5'], 'fd00::/8');
    allowed('https://git.internal/x.git', ['10.9.9.9'], '10.9.9.9');
    refused('http://git.internal:8081/x.git', ['10.1.2.3'], 'git.internal:8080'); // another port
    refused('https://git.internal/x.git', ['10.2.0.1'], '10.1.0.0/16'); // outside the range
    refused('http://127.0.0.1:9419/x.git', ['127.0.0.1'], '127.0.0.1:9418');
  });

  test('the platform\'s own listeners are refused even inside an allowed range; only their exact host:port opens them', () => {
    assert.match(refused('http://127.0.0.1:5000/app.git', ['127.0.0.1']), /platform's own listener/);
    assert.match(refused('http://localhost:8080/app.git', ['127.0.0.1', '::1'], '127.0.0.0/8,::1/128'), /own listener/);
    assert.match(refused('http://192.168.7.20:5443/app.git', ['192.168.7.20'], '192.168.0.0/16'), /own listener/);
    assert.match(refused('http://127.0.0.1:25000/app.git', ['127.0.0.1'], '127.0.0.0/8'), /own listener/); // a dyno's port
    allowed('http://127.0.0.1:9418/app.git', ['127.0.0.1'], '127.0.0.0/8');
    allowed('http://127.0.0.1:5000/app.git', ['127.0.0.1'], '127.0.0.1:5000');
  });

  test('PAAS_REPO_ALLOWED_HOSTS entries that are neither host:port nor CIDR are refused at boot with the way to write them', () => {
    assert.deepEqual(parseAllowList(undefined), []);
    assert.deepEqual(parseAllowList(' , '), []);
    assert.throws(() => parseAllowList('git.internal'), /"git\.internal" is neither host:port nor a CIDR range; .*host:port entries/);
    assert.throws(() => parseAllowList('10.0.0.0/33'), /not a CIDR range/);
    assert.throws(() => parseAllowList('git.internal:99999'), /neither host:port/);
    assert.equal(parseAllowList('[fd00::5]:80, git.internal:443, 10.0.0.0/8').length, 3);
  });

  test('git\'s resolution is pinned for names, not for address literals', () => {
    assert.equal(curlResolveEntry(target('https://git.example.com/a.git'), '93.184.216.34'), 'git.example.com:443:93.184.216.34');
    assert.equal(curlResolveEntry(target('http://git.example.com:8080/a.git'), '2001:db8::1'), 'git.example.com:8080:[2001:db8::1]');
    assert.equal(curlResolveEntry(target('http://127.0.0.1:8080/a.git'), '127.0.0.1'), null);
  });
});
