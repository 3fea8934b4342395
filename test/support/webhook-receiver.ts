import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { NO_RATE_LIMITS } from './test-app';

/** Retries within a second, so that a whole schedule runs in a test. */
export const FAST_WEBHOOKS = {
  ...NO_RATE_LIMITS,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2,0.3',
  WEBHOOK_TIMEOUT_MS: '1500',
};

/** One request the receiver got, as a real receiver would see it. */
export interface ReceivedDelivery {
  path: string;
  /** The `webhook-id` header. */
  id: string;
  headers: Record<string, string>;
  /** The raw body, as signed. */
  body: string;
  json: {
    id: string;
    type: string;
    timestamp: string;
    organizationId: number;
    data: Record<string, unknown>;
  };
  receivedAt: number;
}

/** How to answer a request: a status (default 204), a body, or hold it until `release`. */
export interface Answer {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Not answered until this resolves (then answered as above). */
  hold?: Promise<void>;
}

/**
 * A webhook receiver on loopback: records every request in arrival order and answers as the
 * test says. `verify` checks signatures with the `standardwebhooks` package, the verifier
 * receivers use.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  answer: (delivery: ReceivedDelivery) => Answer = () => ({ status: 204 });
  private server: Server | null = null;
  private boundPort = 0;
  private readonly waiters = new Set<() => void>();

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.keepAliveTimeout = 1000;
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as AddressInfo).port;
    return this.url();
  }

  /** The port it listens on, read once at start. */
  get port(): number {
    if (this.boundPort === 0) throw new Error('The receiver was not started');
    return this.boundPort;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The distinct event ids, in the order each first arrived. */
  firstSeenIds(): string[] {
    return [...new Set(this.received.map((delivery) => delivery.id))];
  }

  /** Resolves once `condition` holds; rejects after `timeoutMs` saying what was received. */
  waitFor(condition: () => boolean, timeoutMs = 15_000, what = 'deliveries'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`No ${what} within ${timeoutMs} ms; received ${this.received.length}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    const delivery: ReceivedDelivery = {
      path: request.url ?? '',
      id: headers['webhook-id'],
      headers,
      body,
      json: JSON.parse(body) as ReceivedDelivery['json'],
      receivedAt: Date.now(),
    };
    this.received.push(delivery);
    for (const waiter of [...this.waiters]) waiter();
    const answer = this.answer(delivery);
    if (answer.hold) await answer.hold;
    if (response.destroyed) return;
    response.writeHead(answer.status ?? 204, answer.headers ?? {});
    response.end(answer.body);
  }
}

/** The payload if the signature holds for `secret` (throws otherwise), as receivers check it. */
export function verifyDelivery(secret: string, delivery: ReceivedDelivery): unknown {
  return new Webhook(secret).verify(delivery.body, {
    'webhook-id': delivery.headers['webhook-id'],
    'webhook-timestamp': delivery.headers['webhook-timestamp'],
    'webhook-signature': delivery.headers['webhook-signature'],
  });
}
