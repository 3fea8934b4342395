import { ENGINES } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

describe.each(ENGINES)('smoke on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  it('patches me', async () => {
    const headers = await t.login('alice', 1);
    const res = await t
      .http()
      .patch('/users-organizations/v1/rs/users/me')
      .set(headers)
      .send({ firstName: 'Alicia' })
      .expect(200);
    expect(res.body.data.firstName).toBe('Alicia');
  });
});
