import { Scope } from '../../src/users-organizations/entities/membership.entity';
import { createGroup, createMember, createOrganization } from './factories';
import type { TestApp } from './test-app';

/**
 * A fresh organization per test, so tests never depend on each other's writes:
 * admin (group day), manager (group night, manages day), reader (group day, reads night),
 * plain (group day, no lists), and a second administrator when asked.
 */
export async function createTeam(t: TestApp, options: { secondAdmin?: boolean } = {}) {
  const organizationId = await createOrganization(t.dataSource);
  const day = await createGroup(t.dataSource, organizationId, 'Day');
  const night = await createGroup(t.dataSource, organizationId, 'Night');
  const admin = await createMember(t.dataSource, {
    organizationId,
    scope: Scope.Administrator,
    firstName: 'Ada',
    lastName: 'Admin',
    professionId: 4,
    group: day,
    read: [day, night],
    manage: [day, night],
  });
  const manager = await createMember(t.dataSource, {
    organizationId,
    firstName: 'Manon',
    lastName: 'Manager',
    group: night,
    read: [day, night],
    manage: [day],
  });
  const reader = await createMember(t.dataSource, {
    organizationId,
    firstName: 'Remi',
    lastName: 'Reader',
    professionId: 1,
    group: day,
    read: [night],
  });
  const plain = await createMember(t.dataSource, {
    organizationId,
    firstName: 'Paul',
    lastName: 'Plain',
    group: day,
  });
  const secondAdmin = options.secondAdmin
    ? await createMember(t.dataSource, {
        organizationId,
        scope: Scope.Administrator,
        firstName: 'Bea',
        lastName: 'Admin',
        group: night,
      })
    : null;
  return { organizationId, groups: { day, night }, admin, manager, reader, plain, secondAdmin };
}

export type Team = Awaited<ReturnType<typeof createTeam>>;

/** Session headers for each of the team's four members, in the team's organization. */
export async function loginTeam(t: TestApp, team: Team) {
  const login = (member: { subject: string }) => t.login(member.subject, team.organizationId);
  return {
    admin: await login(team.admin),
    manager: await login(team.manager),
    reader: await login(team.reader),
    plain: await login(team.plain),
  };
}

/** A fresh team, and each of its four members' session headers: what most suites start from. */
export async function teamWithSessions(t: TestApp) {
  const team = await createTeam(t);
  return { team, ...(await loginTeam(t, team)) };
}
