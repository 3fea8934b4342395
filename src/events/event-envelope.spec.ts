import { EnvelopeRow, outboxEvent } from './event-envelope';

/** What the body was before it was spliced from the stored texts: the envelope, stringified. */
function stringified(row: EnvelopeRow): string {
  const createdAt = new Date(`${String(row.createdAt).replace(' ', 'T')}Z`);
  const view = row.data === null ? {} : (JSON.parse(row.data) as Record<string, unknown>);
  return JSON.stringify({
    id: row.eventId,
    type: row.action,
    timestamp: createdAt.toISOString(),
    organizationId: Number(row.organizationId),
    data: {
      ...view,
      changes: JSON.parse(row.changes) as unknown,
      actorUserId: row.actorUserId === null ? null : Number(row.actorUserId),
    },
  });
}

const row = (overrides: Partial<EnvelopeRow>): EnvelopeRow => ({
  auditId: '41',
  eventId: '019ad0c4-51f0-7a3e-8c1b-2f6d9e0a7b55',
  action: 'membership.updated',
  organizationId: '7',
  actorUserId: '3',
  changes: JSON.stringify({ firstName: { before: 'Ann', after: 'Anne "the" \u00e9' } }),
  data: JSON.stringify({
    membership: { userId: 12, firstName: 'Anne "the" \u00e9', groups: [1, 2] },
  }),
  createdAt: '2026-11-30 15:04:05.678',
  ...overrides,
});

describe('outboxEvent', () => {
  it.each([
    ['a membership change', row({})],
    ['no actor (a change made by the system)', row({ actorUserId: null })],
    ['no stored view (rows from before events existed)', row({ data: null })],
    ['an empty view', row({ data: '{}' })],
    ['a view naming changes itself: the stored changes win', row({ data: '{"changes":1,"a":2}' })],
    ['a view naming actorUserId itself', row({ data: '{"actorUserId":99}' })],
    ['a view that is not an object', row({ data: '[1,2]' })],
  ])('writes the body JSON.stringify gives for the envelope: %s', (_case, stored) => {
    const event = outboxEvent(stored);
    expect(event.body).toBe(stringified(stored));
    expect(JSON.parse(event.body)).toEqual(JSON.parse(stringified(stored)));
  });

  it('carries what the sinks route and sign by', () => {
    expect(outboxEvent(row({}))).toMatchObject({
      auditId: 41,
      id: '019ad0c4-51f0-7a3e-8c1b-2f6d9e0a7b55',
      type: 'membership.updated',
      organizationId: 7,
      createdAt: new Date('2026-11-30T15:04:05.678Z'),
    });
  });
});
