import type { SqlExecutor } from '../database';
import type { PendingEvent } from '../events';
import { deliveryKey, InlineAttempt, InlineEndpoint, routes } from './delivery-fanout.repository';
import {
  DeliveryQueueRepository,
  insertAttempts,
  QueuedDelivery,
} from './delivery-queue.repository';
import { DISABLE_AFTER_MS } from './retry-schedule';
import type { AttemptResult, WebhookSender } from './webhook-sender';

/**
 * How long a relay pass waits for its inline deliveries: a receiver slower than this holds up
 * neither the other endpoints nor the next pass; its send goes on and is recorded by the queue.
 */
export const INLINE_DEADLINE_MS = 50;

/** What a pass delivered inline, for the relay's transaction to record. */
export interface InlineRound {
  events: PendingEvent[];
  endpoints: Map<number, InlineEndpoint>;
  /** Attempts that ended within the deadline, by deliveryKey. */
  results: Map<string, AttemptResult>;
  /** Sends still in flight at the deadline: the queue records them when they end. */
  inFlight: Map<
    string,
    { endpoint: InlineEndpoint; event: PendingEvent; sending: Promise<AttemptResult> }
  >;
}

/**
 * Sends these events at once to each endpoint whose queue is empty and that has no run in
 * progress (`busy`): in event order per endpoint, stopping at its first failure (the rest
 * queue behind it), endpoints side by side, for at most `deadlineMs`.
 */
export async function deliverInline(
  sender: WebhookSender,
  events: PendingEvent[],
  endpoints: InlineEndpoint[],
  busy: (endpointId: number) => boolean,
  signal: AbortSignal,
  deadlineMs = INLINE_DEADLINE_MS,
): Promise<InlineRound> {
  const round: InlineRound = {
    events,
    endpoints: new Map(endpoints.map((endpoint) => [endpoint.id, endpoint])),
    results: new Map(),
    inFlight: new Map(),
  };
  const runs = new Map<InlineEndpoint, PendingEvent[]>();
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (endpoint.queued || busy(endpoint.id) || !routes(endpoint, event)) continue;
      runs.set(endpoint, [...(runs.get(endpoint) ?? []), event]);
    }
  }
  if (runs.size === 0) return round;
  let closed = false;
  const run = async (endpoint: InlineEndpoint, list: PendingEvent[]) => {
    for (const event of list) {
      if (closed || signal.aborted) return;
      const key = deliveryKey(endpoint.id, event.auditId);
      const sending = sender.send(endpoint.url, endpoint.secrets, event.envelope(), signal);
      round.inFlight.set(key, { endpoint, event, sending });
      const result = await sending;
      // Past the deadline it stays in flight: the queue's run records it.
      if (closed) return;
      round.inFlight.delete(key);
      // Cut short by this instance: not an attempt; it stays queued for the next holder.
      if (result.outcome === 'aborted') return;
      round.results.set(key, result);
      if (result.outcome !== 'succeeded') return;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
  await Promise.race([
    Promise.all([...runs].map(([endpoint, list]) => run(endpoint, list))),
    deadline,
  ]);
  clearTimeout(timer);
  closed = true;
  return round;
}

/** A relay pass with inline deliveries, from prepare() to relayed(). */
export interface RelayPass {
  round: InlineRound;
  /** Endpoints some of whose deliveries this pass leaves to the queue: no inline send meanwhile. */
  held: Set<number>;
  /** Set by accept(): the deliveries' ids, the attempts recorded and endpoints disabled. */
  ids: Map<string, number>;
  recorded: { attempt: InlineAttempt; createdAt: Date }[];
  disabled: number[];
}

/**
 * The endpoints that get one of `events` but not all of them delivered in `round`: their
 * other deliveries go to the queue in the relay's transaction, and until it commits, a later
 * pass's read of the queue cannot see them.
 */
export function heldBy(round: InlineRound, events: PendingEvent[], endpoints: InlineEndpoint[]) {
  const held = new Set<number>();
  for (const endpoint of endpoints) {
    for (const event of events) {
      if (!routes(endpoint, event)) continue;
      const result = round.results.get(deliveryKey(endpoint.id, event.auditId));
      if (result?.outcome !== 'succeeded') {
        held.add(endpoint.id);
        break;
      }
    }
  }
  return held;
}

/**
 * In the relay's transaction, after the deliveries' rows: the inline attempts' history, and
 * the endpoints' failing streaks (a success ends one; a failure starts or continues one, and
 * disables the endpoint after DISABLE_AFTER_MS). The attempts recorded, to be counted once the
 * transaction commits, and the endpoints disabled.
 */
export async function recordInline(
  executor: SqlExecutor,
  queue: DeliveryQueueRepository,
  round: InlineRound | null,
  events: PendingEvent[],
  attempted: Map<string, InlineAttempt>,
  ids: Map<string, number>,
): Promise<{ recorded: { attempt: InlineAttempt; createdAt: Date }[]; disabled: number[] }> {
  const rows: { deliveryId: number; result: AttemptResult }[] = [];
  const recorded: { attempt: InlineAttempt; createdAt: Date }[] = [];
  const recovered = new Set<number>();
  const failing = new Set<number>();
  const createdAt = new Map(events.map((event) => [event.auditId, event.createdAt]));
  for (const [key, attempt] of attempted) {
    const deliveryId = ids.get(key);
    // Its endpoint was deleted meanwhile: no delivery, nothing to record.
    if (deliveryId === undefined) continue;
    const [endpointId, auditId] = key.split(':').map(Number);
    rows.push({ deliveryId, result: attempt.result });
    recorded.push({ attempt, createdAt: createdAt.get(auditId) as Date });
    if (attempt.result.outcome !== 'succeeded') failing.add(endpointId);
    else if (round?.endpoints.get(endpointId)?.failingSince) recovered.add(endpointId);
  }
  await insertAttempts(executor, rows);
  await queue.clearFailing(executor, [...recovered]);
  const disabled: number[] = [];
  for (const endpointId of failing) {
    if (await queue.markFailing(executor, endpointId, new Date(), DISABLE_AFTER_MS)) {
      disabled.push(endpointId);
    }
  }
  return { recorded, disabled };
}

/** A send still in flight at the deadline, as the queue's run that records it sees it. */
export function handedOver(
  id: number,
  endpoint: InlineEndpoint,
  event: PendingEvent,
): QueuedDelivery {
  return {
    id,
    endpointId: endpoint.id,
    attempts: 0,
    url: endpoint.url,
    secrets: endpoint.secrets,
    endpointFailingSince: endpoint.failingSince,
    event: event.envelope(),
  };
}
