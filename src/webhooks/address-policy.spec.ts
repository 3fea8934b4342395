import { literalAddress, refusedAddressRange, urlShapeProblem } from './address-policy';

describe('refusedAddressRange', () => {
  it.each([['93.184.215.14'], ['8.8.8.8'], ['2606:4700:4700::1111']])(
    'lets the public address %s through',
    (address) => {
      expect(refusedAddressRange(address)).toBeNull();
    },
  );

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.3.2.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['2002:7f00:1::', '6to4'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['not an address', 'invalid'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedAddressRange(address)).toBe(range);
  });
});

describe('literalAddress', () => {
  it('reads IPv4 and bracketed IPv6 hosts, and nothing else', () => {
    expect(literalAddress(new URL('http://127.0.0.1:8080/x'))).toBe('127.0.0.1');
    expect(literalAddress(new URL('http://[::1]/x'))).toBe('::1');
    expect(literalAddress(new URL('http://localhost/x'))).toBeNull();
    // WHATWG URL parsing turns these spellings of 127.0.0.1 into the address itself.
    expect(literalAddress(new URL('http://2130706433/x'))).toBe('127.0.0.1');
    expect(literalAddress(new URL('http://0x7f.1/x'))).toBe('127.0.0.1');
  });
});

describe('urlShapeProblem', () => {
  it('wants http(s), https in production, no credentials and no fragment', () => {
    expect(urlShapeProblem(new URL('https://hooks.example/in'), true)).toBeNull();
    expect(urlShapeProblem(new URL('http://hooks.example/in'), false)).toBeNull();
    expect(urlShapeProblem(new URL('http://hooks.example/in'), true)).toBe('must use https');
    expect(urlShapeProblem(new URL('ftp://hooks.example/in'), false)).toBe(
      'must be an http(s) URL',
    );
    expect(urlShapeProblem(new URL('https://user:pw@hooks.example/'), true)).toBe(
      'must not hold credentials',
    );
    expect(urlShapeProblem(new URL('https://hooks.example/#x'), true)).toBe(
      'must not hold a fragment',
    );
  });
});

/**
 * Every spelling of a refused range (the audit of 2026-12-07): the URL as an administrator types
 * it, through WHATWG URL parsing as the app does, to the range that refuses it.
 */
describe('the audit: every spelling of a refused address, as a URL', () => {
  it.each([
    ['IPv4-compatible loopback', 'https://[::127.0.0.1]/', 'ipv4Compatible'],
    ['IPv4-compatible metadata', 'https://[::169.254.169.254]/', 'ipv4Compatible'],
    ['IPv4-compatible, hex', 'https://[::7f00:1]/', 'ipv4Compatible'],
    ['IPv4-compatible public address', 'https://[::8.8.8.8]/', 'ipv4Compatible'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/', 'loopback'],
    ['IPv4-mapped metadata, hex', 'https://[::ffff:a9fe:a9fe]/', 'linkLocal'],
    ['NAT64 loopback', 'https://[64:ff9b::127.0.0.1]/', 'rfc6052'],
    ['NAT64 local-use prefix', 'https://[64:ff9b:1::a9fe:a9fe]/', 'rfc6052'],
    ['6to4 of the metadata address', 'https://[2002:a9fe:a9fe::1]/', '6to4'],
    ['Teredo', 'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'teredo'],
    ['decimal IPv4', 'https://2130706433/', 'loopback'],
    ['octal IPv4', 'https://0177.0.0.1/', 'loopback'],
    ['hexadecimal IPv4', 'https://0x7f.0x0.0x0.0x1/', 'loopback'],
    ['hexadecimal IPv4 in one number', 'https://0xa9fea9fe/', 'linkLocal'],
    ['short IPv4', 'https://127.1/', 'loopback'],
    ['decimal metadata address', 'https://2852039166/', 'linkLocal'],
    ['unspecified', 'https://0/', 'unspecified'],
    ['IPv6 loopback, long form', 'https://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ])('refuses %s (%s)', (_label, url, range) => {
    const address = literalAddress(new URL(url));
    expect(address).not.toBeNull();
    expect(refusedAddressRange(address as string)).toBe(range);
  });
});
