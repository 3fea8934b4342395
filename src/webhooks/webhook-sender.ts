import { performance } from 'node:perf_hooks';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import { AppConfig } from '../config';
import type { OutboxEvent } from '../events';
import type { ResolvedAddress } from './host-resolver';
import { PinnedPools } from './pinned-pools';
import { WebhookSigner } from './webhook-signer';
import { refusedAddressRange } from './address-policy';
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
 * (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated, by
 * WebhookSigner). Redirects are not followed (a 3xx is a failure), the whole attempt has
 * WEBHOOK_TIMEOUT_MS, and at most 4 KB of the answer is read.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly timeoutMs: number;
  private readonly pools: PinnedPools;
  /** Signers by secret: decoding a secret once, not at every delivery. */
  private readonly signers = new Map<string, WebhookSigner>();
  private stopping = false;
  private readonly inFlight = new Set<Exchange>();
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(
    config: AppConfig,
    private readonly targets: WebhookTargets,
  ) {
    this.timeoutMs = config.events.webhooks.timeoutMs;
    this.pools = new PinnedPools(this.timeoutMs);
  }

  /** Shutdown: what is in flight is cut, as when the relay stops (the next holder sends it). */
  onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const exchange of this.inFlight) exchange.cut(ABORTED);
    return this.pools.destroy();
  }

  async send(
    url: string,
    secrets: SigningSecrets,
    event: OutboxEvent,
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
    const body = event.body;
    const signatures = secrets
      .map((secret) => this.signer(secret).sign(event.id, attemptedAt, body))
      .join(' ');
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'users-organizations-webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(attemptedAt.getTime() / 1000)),
      'webhook-signature': signatures,
    };
    const response = await this.post(target, addresses, headers, body, signal);
    const durationMs = Math.round(performance.now() - started);
    // What a receiver said reaches the administrator's view only from a public address: from a
    // private one (allowed on closed networks) it would make the API an oracle of that network.
    const open = addresses.every(({ address }) => refusedAddressRange(address) === null);
    if ('error' in response) {
      return {
        outcome: signal.aborted || this.stopping ? 'aborted' : 'failed',
        attemptedAt,
        durationMs,
        responseStatus: null,
        error:
          open || response.network !== true ? response.error : 'The receiver could not be reached',
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
          ? `Redirect${open ? ` to ${location ?? 'nowhere'}` : ''} not followed`
          : `The receiver answered ${status}`,
      responseBody: open ? excerpt : null,
    };
  }

  private signer(secret: string): WebhookSigner {
    let signer = this.signers.get(secret);
    if (signer === undefined) {
      // Rotated secrets leave the map with the rest: it never holds more than a few hundred.
      if (this.signers.size >= 1024) this.signers.clear();
      signer = new WebhookSigner(secret);
      this.signers.set(secret, signer);
    }
    return signer;
  }

  private post(
    target: URL,
    addresses: ResolvedAddress[],
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<ExchangeResult> {
    this.watch(signal);
    const exchange = new Exchange(signal);
    this.inFlight.add(exchange);
    const timer = setTimeout(
      () => exchange.cut(`No answer within ${this.timeoutMs} ms`),
      this.timeoutMs,
    );
    try {
      this.pools.pool(target, addresses).dispatch(
        {
          origin: target.origin,
          path: target.pathname + target.search,
          method: 'POST',
          headers,
          body,
        },
        exchange,
      );
    } catch (error) {
      exchange.fail(error as Error);
    }
    return exchange.result.finally(() => {
      clearTimeout(timer);
      this.inFlight.delete(exchange);
    });
  }

  /**
   * Cuts the exchanges made under `signal` when it aborts: one listener per signal (the
   * dispatcher's, for all its runs), not one per delivery.
   */
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const exchange of this.inFlight) {
          if (exchange.signal === signal) exchange.cut(ABORTED);
        }
      },
      { once: true },
    );
  }
}

const ABORTED = 'Aborted: this instance stopped relaying';

type ExchangeResult =
  | { status: number; excerpt: string; location?: string }
  /** `network`: what the network stack said, which may name the receiver's address. */
  | { error: string; network?: true };

/**
 * One POST through undici's dispatch API: the status, the Location header and at most
 * RESPONSE_BODY_LIMIT bytes of the answer. Cutting it (timeout, relay stopped) settles it at
 * once and aborts the request, or aborts it when it leaves the pool's queue.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly result: Promise<ExchangeResult>;
  private settle!: (result: ExchangeResult) => void;
  private settled = false;
  private controller: Dispatcher.DispatchController | null = null;
  private cutReason: string | null = null;
  private status = 0;
  private location: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(readonly signal: AbortSignal) {
    this.result = new Promise((resolve) => (this.settle = resolve));
  }

  cut(reason: string): void {
    if (this.settled) return;
    this.cutReason = reason;
    this.finish({ error: reason });
    this.controller?.abort(new Error(reason));
  }

  fail(error: Error): void {
    this.finish(
      this.cutReason !== null
        ? { error: this.cutReason }
        : { error: describeNetworkError(error), network: true },
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cutReason !== null) controller.abort(new Error(this.cutReason));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    const location = headers.location;
    this.location = Array.isArray(location) ? location[0] : location;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk.subarray(0, RESPONSE_BODY_LIMIT - this.size));
    this.size += chunk.length;
    if (this.size >= RESPONSE_BODY_LIMIT) {
      // Enough: the rest is neither read nor waited for.
      this.answered();
      controller.abort(new Error('Answer read up to the limit'));
    }
  }

  onResponseEnd(): void {
    this.answered();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // An answer cut short after its status keeps what arrived.
    if (this.status !== 0 && this.cutReason === null) this.answered();
    else this.fail(error);
  }

  private answered(): void {
    this.finish({
      status: this.status,
      excerpt: Buffer.concat(this.chunks).toString('utf8'),
      location: this.location,
    });
  }

  private finish(result: ExchangeResult): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(result);
  }
}

function describeNetworkError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
