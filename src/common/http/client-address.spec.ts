import { compile } from 'proxy-addr';
import { trustProxySetting } from './client-address';

const ADDRESSES = [
  '127.0.0.1',
  '127.8.9.10',
  '::1',
  '::ffff:127.0.0.1',
  '10.0.0.1',
  '192.168.1.20',
  'fd00::1',
  'fe80::1',
  '169.254.0.1',
  '203.0.113.7',
  '2001:db8::1',
  'not-an-address',
  '',
];

describe('trustProxySetting', () => {
  it.each([
    [['loopback']],
    [['loopback', 'uniquelocal']],
    [['linklocal', '203.0.113.0/24']],
    [['10.0.0.1', '2001:db8::/32']],
  ])('answers as proxy-addr compiles %j, at every hop and when asked again', (list) => {
    const expected = compile(list);
    const setting = trustProxySetting(list) as (address: string) => boolean;
    for (const round of [1, 2]) {
      for (const [hop, address] of ADDRESSES.entries()) {
        expect([round, address, setting(address)]).toEqual([
          round,
          address,
          expected(address, hop),
        ]);
      }
    }
  });

  it('hands booleans and hop counts to Express unchanged', () => {
    expect(trustProxySetting(false)).toBe(false);
    expect(trustProxySetting(true)).toBe(true);
    expect(trustProxySetting(2)).toBe(2);
  });

  it('keeps answering right past the memo limit', () => {
    const setting = trustProxySetting(['loopback']) as (address: string) => boolean;
    for (let i = 0; i < 25_000; i++) {
      const address = `203.0.${(i >> 8) & 255}.${i & 255}`;
      expect(setting(address)).toBe(false);
    }
    expect(setting('127.0.0.1')).toBe(true);
  });
});
