import { SwaggerUiAuthorization } from './swagger-ui-authorization';

describe('SwaggerUiAuthorization', () => {
  it('gives the page nothing to authorize with until tokens are set', () => {
    const script = new SwaggerUiAuthorization().script();
    expect(script).not.toMatch(/localStorage|value/);
  });

  it("writes both schemes as swagger-ui's Authorize stores them", () => {
    const authorization = new SwaggerUiAuthorization();
    authorization.authorizeWith({ bearerToken: 'b.$&.1', sessionToken: 's.2' });
    const script = authorization.script();
    const demo = /JSON\.stringify\((\{.*\})\);/.exec(script)?.[1] as string;
    expect(JSON.parse(demo)).toEqual({
      bearer: {
        name: 'bearer',
        schema: expect.objectContaining({ type: 'http', scheme: 'bearer' }) as unknown,
        value: 'b.$&.1',
      },
      'session-token': {
        name: 'session-token',
        schema: expect.objectContaining({
          type: 'apiKey',
          in: 'header',
          name: 'x-session-token',
        }) as unknown,
        value: 's.2',
      },
    });
    expect(script).toContain("localStorage.setItem('authorized', demo)");
  });
});
