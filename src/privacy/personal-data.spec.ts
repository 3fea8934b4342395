import {
  ERASED,
  eraseChanges,
  erasedAuditText,
  eraseStoredView,
  withoutPersonalFields,
} from './personal-data';

describe('personal data (DESIGN 15)', () => {
  it("erases a change's names and email, before and after, and keeps every other field", () => {
    expect(
      eraseChanges({
        firstName: { before: 'Alice', after: 'Alicia' },
        lastName: { before: null, after: 'Martin' },
        email: { before: null, after: 'alice@example.com' },
        scope: { before: 2, after: 1 },
        permissions: { before: { group: 1 }, after: { group: 2 } },
      }),
    ).toEqual({
      firstName: { before: ERASED, after: ERASED },
      lastName: { before: null, after: ERASED },
      email: { before: null, after: ERASED },
      scope: { before: 2, after: 1 },
      permissions: { before: { group: 1 }, after: { group: 2 } },
    });
  });

  it("erases the stored membership and invitation views' personal fields only", () => {
    const data = {
      membership: { userId: 7, firstName: 'Alice', lastName: 'Martin', scope: 1 },
      invitation: { id: 3, email: 'alice@example.com', invitedByUserId: 2, firstName: 'Alice' },
      session: { userId: 7, organizationId: 1 },
      actorClientId: 'hr-sync',
    };
    expect(eraseStoredView(data)).toEqual({
      membership: { userId: 7, firstName: ERASED, lastName: ERASED, scope: 1 },
      invitation: { id: 3, email: ERASED, invitedByUserId: 2, firstName: ERASED },
      session: { userId: 7, organizationId: 1 },
      actorClientId: 'hr-sync',
    });
    expect(data.membership.firstName).toBe('Alice');
  });

  it('says when a row holds nothing to erase, so that it is not written', () => {
    expect(
      erasedAuditText({
        changes: '{"revokedAt":{"before":null,"after":"2026-12-07T10:00:00.000Z"}}',
        data: '{"session":{"userId":7}}',
      }),
    ).toBeNull();
    expect(
      erasedAuditText({ changes: '{"firstName":{"before":"A","after":"B"}}', data: null }),
    ).toEqual({ changes: '{"firstName":{"before":"[erased]","after":"[erased]"}}', data: null });
  });

  it("drops another person's names and email from the changes an export shows", () => {
    expect(
      withoutPersonalFields({
        firstName: { before: 'Bob', after: 'Robert' },
        email: { before: null, after: 'bob@example.com' },
        scope: { before: 2, after: 1 },
      }),
    ).toEqual({ scope: { before: 2, after: 1 } });
  });
});
