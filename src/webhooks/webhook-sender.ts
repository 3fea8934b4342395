import http, { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '../config';
import type { EventEnvelope } from '../events';
import type { ResolvedAddress } from './host-resolver';
import { TargetRefusedError, WebhookTargets } from './webhook-targets';

/** DESIGN 11: response bodies are not read beyond this. */
export const RESPONSE_BODY_LIMIT = 4096;

export type AttemptOutcome = 'succeeded' | 'failed' | 'refused' | 'aborted';

export interface AttemptResult {
  outcome: AttemptOutcome;
  attemptedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  /** Why it failed, in words (never the secret, never the body sent). */
  error: string | null;
  /** At most RESPONSE_BODY_LIMIT bytes of what the receiver answered. */
  responseBody: string | null;
}

/** The secrets a delivery is signed with: the current one, and the previous during rotation. */
export type SigningSecrets = string[];

/**
 * One delivery attempt over HTTP, signed as the Standard Webhooks specification says:
 * `webhook-id` (the event id), `webhook-timestamp` (seconds) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated), computed
 * by the `standardwebhooks` library itself. Redirects are not followed (a 3xx is a failure),
 * the whole attempt has WEBHOOK_TIMEOUT_MS, and at most 4 KB of the answer is read.
 */
@Injectable()
export class WebhookSender {
  private readonly timeoutMs: number;
  // Keep-alive: a busy endpoint gets its deliveries over one connection, not one each.
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
  };

  constructor(
    config: AppConfig,
    private readonly targets: WebhookTargets,
  ) {
    this.timeoutMs = config.events.webhooks.timeoutMs;
  }

  async send(
    url: string,
    secrets: SigningSecrets,
    envelope: EventEnvelope,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const attemptedAt = new Date();
    const started = performance.now();
    const target = new URL(url);
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.targets.addresses(target);
    } catch (error) {
      const refused = error instanceof TargetRefusedError;
      return {
        outcome: 'refused',
        attemptedAt,
        durationMs: Math.round(performance.now() - started),
        responseStatus: null,
        error: refused ? error.message : 'The address could not be checked',
        responseBody: null,
      };
    }
    const body = JSON.stringify(envelope);
    const signatures = secrets
      .map((secret) => new Webhook(secret).sign(envelope.id, attemptedAt, body))
      .join(' ');
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'users-organizations-webhooks/1',
      'webhook-id': envelope.id,
      'webhook-timestamp': String(Math.floor(attemptedAt.getTime() / 1000)),
      'webhook-signature': signatures,
    };
    const response = await this.post(target, addresses, headers, body, signal);
    const durationMs = Math.round(performance.now() - started);
    if ('error' in response) {
      return {
        outcome: signal.aborted ? 'aborted' : 'failed',
        attemptedAt,
        durationMs,
        responseStatus: null,
        error: response.error,
        responseBody: null,
      };
    }
    const { status, excerpt, location } = response;
    const ok = status >= 200 && status < 300;
    return {
      outcome: ok ? 'succeeded' : 'failed',
      attemptedAt,
      durationMs,
      responseStatus: status,
      error: ok
        ? null
        : status >= 300 && status < 400
          ? `Redirect to ${location ?? 'nowhere'} not followed`
          : `The receiver answered ${status}`,
      responseBody: excerpt,
    };
  }

  private post(
    target: URL,
    addresses: ResolvedAddress[],
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<{ status: number; excerpt: string; location?: string } | { error: string }> {
    // The socket connects to the addresses checked above, never to a second lookup's answer.
    const lookup = ((_hostname, options, callback) => {
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    }) as LookupFunction;
    const transport = target.protocol === 'https:' ? https : http;
    const agent = this.agents[target.protocol === 'https:' ? 'https:' : 'http:'];
    return new Promise((resolve) => {
      let settled = false;
      const finish = (
        result: { status: number; excerpt: string; location?: string } | { error: string },
      ) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        resolve(result);
      };
      const request = transport.request(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent,
        lookup,
      });
      const timer = setTimeout(() => {
        request.destroy();
        finish({ error: `No answer within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      const abort = () => {
        request.destroy();
        finish({ error: 'Aborted: this instance stopped relaying' });
      };
      signal.addEventListener('abort', abort);
      request.on('error', (error) => finish({ error: describeNetworkError(error) }));
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            status: response.statusCode ?? 0,
            excerpt: Buffer.concat(chunks).toString('utf8'),
            location: response.headers.location,
          });
        response.on('data', (chunk: Buffer) => {
          const room = RESPONSE_BODY_LIMIT - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += chunk.length;
          if (size >= RESPONSE_BODY_LIMIT) {
            // Enough: the rest is neither read nor waited for.
            done();
            response.destroy();
          }
        });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      });
      request.end(body);
    });
  }
}

function describeNetworkError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
