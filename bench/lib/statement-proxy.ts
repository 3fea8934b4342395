/**
 * A loopback TCP proxy in front of MySQL/MariaDB that records the commands clients send, read
 * straight off the wire: whatever a server's code does, this is what reaches the database. Used
 * to print the statements one PATCH sends and to check the same-work baseline still sends what
 * the app sends.
 *
 * MySQL protocol: every packet is a 3-byte length, a 1-byte sequence id and a payload; a client
 * command is a packet with sequence id 0 whose first byte names the command (COM_QUERY 0x03,
 * COM_STMT_PREPARE 0x16, COM_STMT_EXECUTE 0x17). The handshake response has sequence id 1.
 */
import { createConnection, createServer, Server, Socket } from 'node:net';

export interface RecordedCommand {
  connection: number;
  text: string;
}

class PacketReader {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(private readonly onPacket: (sequence: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUIntLE(0, 3);
      if (this.buffer.length < 4 + length) break;
      this.onPacket(this.buffer[3], this.buffer.subarray(4, 4 + length));
      this.buffer = this.buffer.subarray(4 + length);
    }
  }
}

export class StatementProxy {
  readonly commands: RecordedCommand[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private connections = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  listen(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(0, '127.0.0.1', () => {
        const address = this.server?.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  }

  clear(): void {
    this.commands.length = 0;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    const id = ++this.connections;
    const upstream = createConnection(this.upstreamPort, this.upstreamHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const statements = new Map<number, string>();
    let preparing: string | undefined;
    const fromClient = new PacketReader((sequence, payload) => {
      if (sequence !== 0 || payload.length === 0) return;
      const command = payload[0];
      const sql = () => payload.subarray(1).toString('utf8');
      if (command === 0x03) this.commands.push({ connection: id, text: sql() });
      else if (command === 0x16) {
        preparing = sql();
        this.commands.push({ connection: id, text: `PREPARE ${preparing}` });
      } else if (command === 0x17) {
        const statement = statements.get(payload.readUInt32LE(1));
        this.commands.push({
          connection: id,
          text: `EXECUTE ${statement ?? '(unknown statement)'}`,
        });
      } else if (command === 0x0e) this.commands.push({ connection: id, text: 'PING' });
      else if (command !== 0x01 && command !== 0x19) {
        this.commands.push({ connection: id, text: `COMMAND 0x${command.toString(16)}` });
      }
    });
    // Only to learn prepared statement ids: COM_STMT_PREPARE_OK is 0x00 then the id.
    const fromServer = new PacketReader((sequence, payload) => {
      if (preparing !== undefined && sequence === 1) {
        if (payload[0] === 0x00) statements.set(payload.readUInt32LE(1), preparing);
        preparing = undefined;
      }
    });
    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer.push(chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  }
}

/** The statement with its values replaced by `?`, to compare two clients' statements. */
export function normalizeStatement(text: string): string {
  return text
    .replace(/'(?:[^'\\]|\\.|'')*'/g, '?')
    .replace(/\b\d+(\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What the event relay reads and writes: its statements are never a request's. */
const RELAY_STATEMENT = /`event_relay_leases`|`webhook_|`event_broker_queue`|`relayedAt`/;

/**
 * A request's statements apart from the relay's, which run in the same process (woken by the
 * request's commit) on connections of the same pool. A transaction belongs to the relay when
 * any of its statements does; outside a transaction, each statement counts on its own.
 */
export function splitRelayStatements(commands: RecordedCommand[]): {
  request: string[];
  relay: string[];
} {
  const request: string[] = [];
  const relay: string[] = [];
  const open = new Map<number, RecordedCommand[]>();
  const place = (unit: RecordedCommand[]) => {
    const target = unit.some((command) => RELAY_STATEMENT.test(command.text)) ? relay : request;
    target.push(...unit.map((command) => command.text));
  };
  for (const command of commands) {
    const unit = open.get(command.connection);
    if (/^START TRANSACTION|^BEGIN/i.test(command.text)) {
      open.set(command.connection, [command]);
    } else if (unit === undefined) {
      place([command]);
    } else {
      unit.push(command);
      if (/^(COMMIT|ROLLBACK)/i.test(command.text)) {
        open.delete(command.connection);
        place(unit);
      }
    }
  }
  for (const unit of open.values()) place(unit);
  return { request, relay };
}
