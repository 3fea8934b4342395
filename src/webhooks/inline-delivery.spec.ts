import type { PendingEvent } from '../events';
import { deliveryKey, InlineEndpoint } from './delivery-fanout.repository';
import { heldBy, InlineRound } from './inline-delivery';
import type { AttemptResult } from './webhook-sender';

const at = new Date('2026-12-07T10:00:00Z');

function endpoint(id: number, organizationId: number, events: string[]): InlineEndpoint {
  return {
    id,
    organizationId,
    events,
    createdAt: at,
    url: `https://receiver.example/${id}`,
    secrets: ['whsec_test'],
    failingSince: null,
    queued: false,
  };
}

function event(auditId: number, organizationId: number, type: string): PendingEvent {
  return {
    auditId,
    type,
    organizationId,
    createdAt: at,
    envelope: () => {
      throw new Error('not sent here');
    },
  };
}

const result = (outcome: AttemptResult['outcome']): AttemptResult => ({
  outcome,
  attemptedAt: at,
  durationMs: 3,
  responseStatus: outcome === 'succeeded' ? 204 : 503,
  error: null,
  responseBody: null,
});

describe('heldBy', () => {
  const updated = event(1, 10, 'membership.updated');
  const invited = event(2, 10, 'invitation.created');
  const events = [updated, invited];
  const round = (results: [InlineEndpoint, PendingEvent, AttemptResult][]): InlineRound => ({
    events,
    endpoints: new Map(),
    results: new Map(results.map(([e, ev, r]) => [deliveryKey(e.id, ev.auditId), r])),
    inFlight: new Map(),
  });

  it('holds an endpoint any of whose events this pass did not deliver', () => {
    const everything = endpoint(1, 10, ['*']);
    const onlyUpdates = endpoint(2, 10, ['membership.updated']);
    const elsewhere = endpoint(3, 20, ['*']);
    const failedSecond = round([
      [everything, updated, result('succeeded')],
      [everything, invited, result('failed')],
      [onlyUpdates, updated, result('succeeded')],
    ]);
    expect(heldBy(failedSecond, events, [everything, onlyUpdates, elsewhere])).toEqual(
      new Set([1]),
    );
  });

  it('holds an endpoint whose send is still in flight or was never made', () => {
    const everything = endpoint(1, 10, ['*']);
    const onlyUpdates = endpoint(2, 10, ['membership.updated']);
    const nothingEnded = round([[everything, updated, result('succeeded')]]);
    expect(heldBy(nothingEnded, events, [everything, onlyUpdates])).toEqual(new Set([1, 2]));
  });

  it('holds nothing when every routed event was delivered', () => {
    const everything = endpoint(1, 10, ['*']);
    const delivered = round([
      [everything, updated, result('succeeded')],
      [everything, invited, result('succeeded')],
    ]);
    expect(heldBy(delivered, events, [everything])).toEqual(new Set());
  });
});
