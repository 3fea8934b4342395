import { createHmac, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { membershipView } from './membership-view';

/**
 * Preloaded into the app (`NODE_OPTIONS=--require`) for the `app+bare-post` variant of
 * `npm run bench -- --events`: each answered PATCH sends one POST to the bench's receiver,
 * straight from its response's end, signed and addressed as a webhook delivery is (Standard
 * Webhooks headers, an undici pool of 16 kept-alive connections, the dispatch API the app's
 * sender uses) with nothing else: no outbox read, no queue, no database statement, no retry, no
 * timeout. Beside the app alone, it prices what any delivery of every change costs the PATCH on
 * this machine, whatever the relay does.
 */

/** The profile scenario's names are random: every PATCH answered 200 is a change. */
const CHANGED = 200;

/** As the receiver reads it: `timestamp` for the lag; the membership view at its usual size. */
function eventBody(id: string, at: Date): string {
  const timestamp = at.toISOString();
  return JSON.stringify({
    type: 'membership.updated',
    timestamp,
    data: {
      id,
      organizationId: 1,
      ...membershipView(timestamp),
      changes: { lastName: { before: 'A', after: 'B' } },
    },
  });
}

/** Reads nothing of the answer: the receiver's 204 has no body. */
const discard: Dispatcher.DispatchHandler = {
  onRequestStart: () => undefined,
  onResponseStart: () => undefined,
  onResponseData: () => undefined,
  onResponseEnd: () => undefined,
  onResponseError: () => undefined,
};

function start(url: string): void {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 16, headersTimeout: 0, bodyTimeout: 0 });
  const key = createSecretKey(randomBytes(32));
  subscribe('http.server.response.finish', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (request.method !== 'PATCH' || response.statusCode !== CHANGED) return;
    const id = randomUUID();
    const at = new Date();
    const seconds = Math.floor(at.getTime() / 1000);
    const body = eventBody(id, at);
    const signature = createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64');
    pool.dispatch(
      {
        origin: target.origin,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'users-organizations-webhooks/1',
          'webhook-id': id,
          'webhook-timestamp': String(seconds),
          'webhook-signature': `v1,${signature}`,
        },
        body,
      },
      discard,
    );
  });
}

const url = process.env.BENCH_BARE_POST_URL;
if (url !== undefined) start(url);
