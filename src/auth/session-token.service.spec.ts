import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { AppConfig, loadConfig } from '../config/app-config';
import {
  InvalidSessionTokenError,
  SessionClaims,
  SessionTokenService,
  parseSessionClaims,
} from './session-token.service';

const SESSION_ID = 'AbCdEfGh_1234-xyz';
const NOW = Math.floor(Date.now() / 1000);
const BEARER_SECRET = 'bearer-secret-for-unit-tests-0123456789abcdef';
const SESSION_SECRET = 'session-secret-for-unit-tests-0123456789abcdef';

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { userId: 42, sessionId: SESSION_ID, iat: NOW, exp: NOW + 3600, ...overrides };
}

function without(key: string): Record<string, unknown> {
  const value = claims();
  delete value[key];
  return value;
}

describe('parseSessionClaims', () => {
  it('returns userId and sessionId from valid claims', () => {
    expect(parseSessionClaims(claims())).toEqual({ userId: 42, sessionId: SESSION_ID });
  });

  it('returns only userId and sessionId, not the other claims', () => {
    const parsed = parseSessionClaims(claims({ extra: 'x' }));
    expect(Object.keys(parsed).sort()).toEqual(['sessionId', 'userId']);
  });

  it('accepts a numeric-string userId and returns it as a number', () => {
    const parsed = parseSessionClaims(claims({ userId: '42' }));
    expect(parsed.userId).toBe(42);
    expect(typeof parsed.userId).toBe('number');
  });

  it('accepts the largest safe integer, as a number and as a string', () => {
    expect(parseSessionClaims(claims({ userId: 9007199254740991 })).userId).toBe(9007199254740991);
    expect(parseSessionClaims(claims({ userId: '9007199254740991' })).userId).toBe(
      9007199254740991,
    );
  });

  it.each([
    ['a float', 1.5],
    ['an unsafe integer', 2 ** 53],
    ['an unsafe numeric string', '9007199254740992'],
    ['a 17-digit string', '12345678901234567'],
    ['a float string', '1.5'],
    ['an exponent string', '1e3'],
    ['a hex string', '0x10'],
    ['a string with spaces', ' 42'],
    ['an empty string', ''],
    ['a word', 'alice'],
    ['null', null],
    ['a boolean', true],
    ['an array', [42]],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses a userId that is %s', (_name, userId) => {
    expect(() => parseSessionClaims(claims({ userId }))).toThrow(InvalidSessionTokenError);
    expect(() => parseSessionClaims(claims({ userId }))).toThrow(/userId/);
  });

  it('refuses a missing userId', () => {
    expect(() => parseSessionClaims(without('userId'))).toThrow(InvalidSessionTokenError);
  });

  it('refuses a missing sessionId', () => {
    expect(() => parseSessionClaims(without('sessionId'))).toThrow(/sessionId/);
  });

  it.each([
    ['too short', 'a'.repeat(15)],
    ['too long', 'a'.repeat(65)],
    ['with a dot', 'abcdefgh.ijklmnop'],
    ['with a slash', 'abcdefgh/ijklmnop'],
    ['with a space', 'abcdefgh ijklmnop'],
    ['with a plus', 'abcdefgh+ijklmnop'],
    ['with a trailing newline', 'abcdefghijklmnop\n'],
    ['with non-ASCII letters', '\u00e9'.repeat(20)],
    ['a number', 1234567890123456],
    ['null', null],
  ])('refuses a sessionId %s', (_name, sessionId) => {
    expect(() => parseSessionClaims(claims({ sessionId }))).toThrow(InvalidSessionTokenError);
    expect(() => parseSessionClaims(claims({ sessionId }))).toThrow(/sessionId/);
  });

  it('accepts sessionIds of 16 and 64 base64url characters', () => {
    expect(parseSessionClaims(claims({ sessionId: 'a'.repeat(16) })).sessionId).toBe(
      'a'.repeat(16),
    );
    expect(parseSessionClaims(claims({ sessionId: '-_'.repeat(32) })).sessionId).toBe(
      '-_'.repeat(32),
    );
  });

  it('refuses a missing iat', () => {
    expect(() => parseSessionClaims(without('iat'))).toThrow(/iat and exp/);
  });

  it('refuses a missing exp', () => {
    expect(() => parseSessionClaims(without('exp'))).toThrow(/iat and exp/);
  });

  it('refuses string iat/exp', () => {
    expect(() => parseSessionClaims(claims({ exp: String(NOW + 60) }))).toThrow(
      InvalidSessionTokenError,
    );
    expect(() => parseSessionClaims(claims({ iat: String(NOW) }))).toThrow(
      InvalidSessionTokenError,
    );
  });

  it.each([null, undefined, 'token', 42])('refuses a payload that is %p', (payload) => {
    expect(() => parseSessionClaims(payload)).toThrow(InvalidSessionTokenError);
  });

  it('refuses a bearer-shaped payload (sub, no session claims)', () => {
    expect(() => parseSessionClaims({ sub: 'alice', iat: NOW, exp: NOW + 60 })).toThrow(
      InvalidSessionTokenError,
    );
  });
});

describe('SessionTokenService', () => {
  let config: AppConfig;
  let service: SessionTokenService;
  const session: SessionClaims = { userId: 42, sessionId: SESSION_ID };

  beforeEach(() => {
    config = loadConfig({
      NODE_ENV: 'test',
      AUTH_JWT_SECRET: BEARER_SECRET,
      SESSION_TOKEN_SECRET: SESSION_SECRET,
    });
    service = new SessionTokenService(config);
  });

  function inOneHour(): Date {
    return new Date(Date.now() + 3600 * 1000);
  }

  it('round-trips the claims', () => {
    const token = service.sign(session, inOneHour());
    expect(service.verify(token)).toEqual(session);
  });

  it('signs with HS256 and the expiry given, in seconds', () => {
    const expiresAt = new Date('2100-01-01T00:00:00.000Z');
    const token = service.sign(session, expiresAt);
    const [header, payload] = token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toMatchObject({
      alg: 'HS256',
    });
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(decoded.exp).toBe(Math.floor(expiresAt.getTime() / 1000));
    expect(decoded.userId).toBe(42);
    expect(decoded.sessionId).toBe(SESSION_ID);
    expect(typeof decoded.iat).toBe('number');
  });

  it('verifies a token signed by another instance with the same secret', () => {
    const other = new SessionTokenService(
      loadConfig({
        NODE_ENV: 'test',
        AUTH_JWT_SECRET: BEARER_SECRET,
        SESSION_TOKEN_SECRET: SESSION_SECRET,
      }),
    );
    expect(service.verify(other.sign(session, inOneHour()))).toEqual(session);
  });

  it('accepts a token whose userId is a numeric string (signed elsewhere)', () => {
    const token = sign(claims({ userId: '42' }), SESSION_SECRET, { algorithm: 'HS256' });
    expect(service.verify(token)).toEqual({ userId: 42, sessionId: SESSION_ID });
  });

  it('refuses a token signed with another secret', () => {
    const token = sign(claims(), 'another-secret-of-sufficient-length-0123456789', {
      algorithm: 'HS256',
    });
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });

  it('refuses a token signed with the bearer secret (tokens never stand in for each other)', () => {
    const token = sign(claims(), BEARER_SECRET, { algorithm: 'HS256' });
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });

  it('refuses a token signed by a service configured with the development secret', () => {
    const development = new SessionTokenService(loadConfig({ NODE_ENV: 'development' }));
    const token = development.sign(session, inOneHour());
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });

  it('refuses an unsigned alg:none token', () => {
    const token = sign(claims(), '', { algorithm: 'none' });
    expect(token.endsWith('.')).toBe(true);
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });

  it('refuses a hand-made alg:none token carrying a copied signature', () => {
    const genuine = service.sign(session, inOneHour());
    const [, payload, signature] = genuine.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(() => service.verify(`${header}.${payload}.${signature}`)).toThrow(
      InvalidSessionTokenError,
    );
    expect(() => service.verify(`${header}.${payload}.`)).toThrow(InvalidSessionTokenError);
  });

  it('refuses an expired token', () => {
    const token = service.sign(session, new Date(Date.now() - 3600 * 1000));
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
    expect(() => service.verify(token)).toThrow(/expired/);
  });

  it('refuses an RS256 token', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = sign(claims(), privateKey, { algorithm: 'RS256' });
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });

  it('refuses an HS512 token signed with the right secret (algorithm pinned)', () => {
    const token = sign(claims(), SESSION_SECRET, { algorithm: 'HS512' });
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });

  it('refuses a correctly signed token that lacks the session claims', () => {
    const token = sign({ sub: 'alice', exp: NOW + 60 }, SESSION_SECRET, { algorithm: 'HS256' });
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });

  it('refuses a correctly signed token without exp', () => {
    const token = sign({ userId: 42, sessionId: SESSION_ID }, SESSION_SECRET, {
      algorithm: 'HS256',
    });
    expect(() => service.verify(token)).toThrow(/iat and exp/);
  });

  it('refuses a tampered payload', () => {
    const token = service.sign(session, inOneHour());
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ userId: 1, sessionId: SESSION_ID, iat: NOW, exp: NOW + 3600 }),
    ).toString('base64url');
    expect(() => service.verify(`${header}.${forged}.${signature}`)).toThrow(
      InvalidSessionTokenError,
    );
  });

  it.each(['', 'garbage', 'a.b.c', 'a.b'])('refuses a malformed token %p', (token) => {
    expect(() => service.verify(token)).toThrow(InvalidSessionTokenError);
  });
});
