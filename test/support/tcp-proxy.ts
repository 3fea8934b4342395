import { AddressInfo, createServer, Server, Socket, connect } from 'node:net';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP proxy the test controls, between the app and the shared database server: stopping it
 * simulates an outage without touching the server other suites use.
 *
 * Two more faults, both switchable at any time, on open connections too:
 * - `latencyMs`: every chunk the database sends is held that long before it reaches the app, so
 *   every round trip (handshake, query, commit) takes that much longer: a slow database;
 * - `pause()`: nothing is forwarded either way until `resume()`, and new connections are accepted
 *   but not connected to the database: a database that hangs (or a network that drops packets).
 *   What was held is delivered in order on `resume()`, as TCP would after a short partition.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private gate: { opened: Promise<void>; open: () => void } | null = null;
  port = 0;
  /** Milliseconds each chunk from the database is held before it is passed on (0: none). */
  latencyMs = 0;
  /** Connections accepted since the proxy was made. */
  connectionsAccepted = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get paused(): boolean {
    return this.gate !== null;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      this.connectionsAccepted++;
      this.track(client);
      client.on('error', () => client.destroy());
      // While paused, the database is not even dialled: the app waits for its greeting.
      void this.whenOpen().then(() => {
        if (client.destroyed) return;
        const upstream = connect(this.targetPort, this.targetHost);
        this.track(upstream);
        for (const socket of [client, upstream]) {
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        this.relay(client, upstream, false);
        this.relay(upstream, client, true);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Cuts every open connection and refuses new ones until `start()`. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forwards nothing, either way, until `resume()`; connections stay open. */
  pause(): void {
    if (this.gate) return;
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = { opened, open };
  }

  /** Delivers what was held, in order, and forwards again. */
  resume(): void {
    const gate = this.gate;
    this.gate = null;
    gate?.open();
  }

  private async whenOpen(): Promise<void> {
    while (this.gate) await this.gate.opened;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /**
   * Passes `source`'s chunks, then its end, to `target` in order; each chunk waits until the
   * proxy is open and, on the delayed direction, until `latencyMs` after it arrived.
   */
  private relay(source: Socket, target: Socket, delayed: boolean): void {
    let tail = Promise.resolve();
    const later = (action: () => void) => {
      const due = Date.now() + (delayed ? this.latencyMs : 0);
      tail = tail.then(async () => {
        await this.whenOpen();
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        if (!target.destroyed) action();
      });
    };
    source.on('data', (chunk: Buffer) => later(() => target.write(chunk)));
    // A side that goes away (gracefully or not) ends the other once what it sent is delivered,
    // so the server sees the app's connection close and rolls back what it left open.
    source.on('close', () => later(() => target.end()));
  }
}
