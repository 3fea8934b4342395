import { hasSecondFactor } from './second-factor';

describe('hasSecondFactor', () => {
  it.each([
    [['mfa'], null, true],
    [['pwd', 'otp'], null, true],
    [['pwd', 'hwk'], null, true],
    [['otp'], null, false],
    [['pwd'], null, false],
    [['pwd', 'pwd'], null, false],
    [[], null, false],
    [[], 'urn:example:loa:2', true],
    [[], 'urn:example:loa:1', false],
    [['pwd'], 'urn:other', false],
  ] as const)('amr %j, acr %j: %s', (amr, acr, expected) => {
    expect(hasSecondFactor({ amr: [...amr], acr }, ['urn:example:loa:2'])).toBe(expected);
  });

  it('counts no acr when none is configured', () => {
    expect(hasSecondFactor({ amr: [], acr: 'urn:example:loa:2' }, [])).toBe(false);
  });
});
