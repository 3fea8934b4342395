/**
 * A framework-free PATCH server: node:http + mysql2, no logging. `node server.js reference` runs
 * the 4-statement reference; `node server.js same-work` runs the app's own statement list
 * (same-work-statements.ts). Configuration comes from the same variables as the app's.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'mysql2/promise';
import {
  Changes,
  HttpError,
  Keys,
  MembershipRow,
  TokenClaims,
  keysFromEnvironment,
  membershipResponse,
  parseChanges,
  parseUserId,
  readBody,
  verifyTokens,
} from './common';
import { createBaselinePool } from './pool';
import { referencePatch } from './reference-statements';
import { sameWorkPatch } from './same-work-patch';

const PATCH_PREFIX = '/users-organizations/v1/rs/users/';

type Patch = (
  pool: Pool,
  claims: TokenClaims,
  targetUserId: number,
  changes: Changes,
) => Promise<MembershipRow>;

function send(response: ServerResponse, status: number, body: string, headers = {}): void {
  response.writeHead(status, {
    'content-type': status < 300 ? 'application/json; charset=utf-8' : 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  pool: Pool,
  keys: Keys,
  patch: Patch,
): Promise<void> {
  const url = request.url ?? '/';
  if (request.method === 'GET' && url === '/health/ready') {
    await pool.query('SELECT 1');
    send(response, 200, '{"status":"ok"}');
    return;
  }
  if (request.method !== 'PATCH' || !url.startsWith(PATCH_PREFIX)) {
    throw new HttpError(404, 'NOT_FOUND');
  }
  const text = await readBody(request);
  const claims = verifyTokens(request, keys);
  const targetUserId = parseUserId(url.slice(PATCH_PREFIX.length), claims.userId);
  const changes = parseChanges(request, text);
  const row = await patch(pool, claims, targetUserId, changes);
  const { body, etag } = membershipResponse(row);
  send(response, 200, body, { etag });
}

function main(): void {
  const mode = process.argv[2];
  if (mode !== 'reference' && mode !== 'same-work') {
    throw new Error('usage: server.js reference|same-work');
  }
  const pool = createBaselinePool();
  const keys = keysFromEnvironment();
  const patch: Patch = mode === 'reference' ? referencePatch : sameWorkPatch;
  const server = createServer((request, response) => {
    handle(request, response, pool, keys, patch).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const code = error instanceof HttpError ? error.code : 'INTERNAL';
      if (status === 500) console.error(error);
      if (!response.headersSent) send(response, status, JSON.stringify({ status, code }));
      else response.destroy();
    });
  });
  server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const stop = () => {
    server.close();
    server.closeAllConnections();
    pool.end().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
