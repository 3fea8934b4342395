import type { KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JWKS endpoint the test controls; it records every request it receives. */
export interface KeyServer {
  url: string;
  /** Served as is on every request: push to it to rotate keys. */
  keys: object[];
  requests: string[];
  close(): Promise<void>;
}

export async function startKeyServer(keys: object[], port = 0): Promise<KeyServer> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(request.url ?? '');
    if (request.url === '/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys }));
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: boundPort } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${boundPort}/jwks.json`,
    keys,
    requests,
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function jwkOf(publicKey: KeyObject, kid: string, alg: 'RS256' | 'ES256') {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}
