import pino from 'pino';
import { loggableHeaders, loggableUrl, loggerOptions, REDACTED } from './http-logger';

describe('loggableUrl', () => {
  it('keeps a URL without a query as it is', () => {
    expect(loggableUrl('/users-organizations/v1/rs/users/me')).toBe(
      '/users-organizations/v1/rs/users/me',
    );
  });

  it('blanks secret-looking query parameters and keeps the others', () => {
    const url = loggableUrl('/users?access_token=abc.def.ghi&scope=1&sessionToken=xyz&name=Ann');
    expect(url).not.toContain('abc.def.ghi');
    expect(url).not.toContain('xyz');
    expect(url).toContain('scope=1');
    expect(url).toContain('name=Ann');
    expect(url).toContain(`access_token=${encodeURIComponent(REDACTED)}`);
  });

  it('blanks every value of a repeated parameter, whatever its case', () => {
    const url = loggableUrl('/x?API_KEY=one&api_key=two&Password=three');
    for (const secret of ['one', 'two', 'three']) expect(url).not.toContain(secret);
  });
});

describe('loggableHeaders', () => {
  it('blanks the credential headers in a copy and keeps the others', () => {
    const headers = {
      authorization: 'Bearer aaa.bbb.ccc',
      'proxy-authorization': 'Basic hhh',
      'x-session-token': 'ddd.eee.fff',
      cookie: 'sid=ggg',
      'user-agent': 'jest',
    };
    expect(loggableHeaders(headers)).toEqual({
      authorization: REDACTED,
      'proxy-authorization': REDACTED,
      'x-session-token': REDACTED,
      cookie: REDACTED,
      'user-agent': 'jest',
    });
    expect(headers.authorization).toBe('Bearer aaa.bbb.ccc');
  });

  it('blanks credentials in headers nobody lists in advance: only an allow-list is logged', () => {
    const logged = loggableHeaders({
      'x-forwarded-authorization': 'Bearer forwarded.jwt.value',
      'x-api-key': 'key-123',
      'x-amzn-oidc-data': 'oidc.jwt.value',
      'x-custom-secret': 'hunter2',
      'content-type': 'application/json',
      'x-request-id': 'req-1',
    });
    expect(logged).toEqual({
      'x-forwarded-authorization': REDACTED,
      'x-api-key': REDACTED,
      'x-amzn-oidc-data': REDACTED,
      'x-custom-secret': REDACTED,
      'content-type': 'application/json',
      'x-request-id': 'req-1',
    });
  });

  it('adds no header that was not sent', () => {
    expect(loggableHeaders({ accept: '*/*' })).toEqual({ accept: '*/*' });
  });
});

describe('log redaction', () => {
  function logged(object: Record<string, unknown>): string {
    const lines: string[] = [];
    const logger = pino(loggerOptions('info'), { write: (line: string) => void lines.push(line) });
    logger.info(object, 'message');
    return lines.join('');
  }

  it('blanks the credential headers of a logged request', () => {
    const line = logged({
      req: {
        headers: {
          authorization: 'Bearer aaa.bbb.ccc',
          'x-session-token': 'ddd.eee.fff',
          cookie: 'sid=ggg',
          'proxy-authorization': 'Basic hhh',
          'user-agent': 'jest',
        },
      },
      res: { headers: { 'set-cookie': 'sid=iii' } },
    });
    for (const secret of ['aaa.bbb.ccc', 'ddd.eee.fff', 'ggg', 'hhh', 'iii']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('"user-agent":"jest"');
    expect(line).toContain(`"authorization":"${REDACTED}"`);
  });

  it('blanks secret-named fields at the top and one level down', () => {
    const line = logged({
      token: 't1',
      sessionToken: 't2',
      password: 't3',
      data: { secret: 't4', accessToken: 't5', bearerToken: 't6', kept: 'visible' },
    });
    for (const secret of ['t1', 't2', 't3', 't4', 't5', 't6']) {
      expect(line).not.toContain(`"${secret}"`);
    }
    expect(line).toContain('"kept":"visible"');
  });

  it('writes level names, ISO times and the message', () => {
    const line = JSON.parse(logged({})) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', msg: 'message' });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });
});
