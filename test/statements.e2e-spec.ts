import { ENGINES } from './support/databases';
import { acceptById, invite, issued, verifiedBearer } from './support/invitations';
import { createTeam } from './support/organization';
import { StatementCounter } from './support/statement-counter';
import { startTestApp, TestApp } from './support/test-app';

const USERS = '/users-organizations/v1/rs/users';

/**
 * The SQL one successful PATCH sends, counted where DatabaseService hands them to the driver. The ceilings are the
 * performance targets: a change that adds a statement to the hot path fails here.
 */
const CEILINGS = { profile: 5, scope: 8, accept: 13 };

describe.each(ENGINES)('statements per PATCH on %s', (engine) => {
  let t: TestApp;
  let counter: StatementCounter;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    counter?.restore();
    await t.close();
  });

  async function count(send: () => Promise<{ status: number }>): Promise<string[]> {
    counter = counter ?? new StatementCounter();
    counter.reset();
    const response = await send();
    expect(response.status).toBe(200);
    return [...counter.statements];
  }

  it(`sends at most ${CEILINGS.profile} statements for a profile change`, async () => {
    const team = await createTeam(t);
    const asAdmin = await t.login(team.admin.subject, team.organizationId);
    const statements = await count(() =>
      t.http().patch(`${USERS}/${team.plain.userId}`).set(asAdmin).send({ lastName: 'Counted' }),
    );
    console.log(
      `${engine} profile PATCH: ${statements.length} statements\n${statements.join('\n')}`,
    );
    expect(statements.length).toBeLessThanOrEqual(CEILINGS.profile);
  });

  it(`sends at most ${CEILINGS.scope} statements for a scope change`, async () => {
    const team = await createTeam(t);
    const asAdmin = await t.login(team.admin.subject, team.organizationId);
    const statements = await count(() =>
      t.http().patch(`${USERS}/${team.plain.userId}`).set(asAdmin).send({ scope: 1 }),
    );
    console.log(`${engine} scope PATCH: ${statements.length} statements\n${statements.join('\n')}`);
    expect(statements.length).toBeLessThanOrEqual(CEILINGS.scope);
  });

  it(`sends at most ${CEILINGS.accept} statements to accept an invitation`, async () => {
    const team = await createTeam(t);
    const asAdmin = await t.login(team.admin.subject, team.organizationId);
    const email = `counted.${engine}@invited.example`;
    const invitation = issued(
      await invite(t, asAdmin, {
        email,
        professionId: 1,
        permissions: { group: team.groups.day, read: [team.groups.day], manage: [] },
      }).expect(201),
    );
    const bearer = verifiedBearer(`counted-${engine}`, email);
    counter = counter ?? new StatementCounter();
    counter.reset();
    await acceptById(t, bearer, invitation.id).expect(201);
    const statements = [...counter.statements];
    console.log(
      `${engine} invitation accept (first sign-in included): ${statements.length} statements\n${statements.join('\n')}`,
    );
    expect(statements.length).toBeLessThanOrEqual(CEILINGS.accept);
  });
});
