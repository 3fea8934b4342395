import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** The answers Node's own handler gives, by parser error code. */
const RESPONSES: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/** How long a refused client may go on sending before its socket is closed anyway. */
const DRAIN_MS = 2000;

/**
 * Answers a request the HTTP parser refused (headers over the limit, malformed request line) as
 * Node does, but closes the connection gracefully. Node 24's own handler destroys the socket
 * while the client is still sending its oversized headers; the unread bytes make the kernel
 * reset the connection, and the client sees ECONNRESET instead of the 431 (Node 20 did not).
 * Here the answer is sent with a FIN, the rest of the request is read and dropped, and the
 * socket is destroyed once the client is done or after a short grace period.
 */
export function answerClientErrorsGracefully(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || socket.writableEnded) {
      socket.destroy();
      return;
    }
    const status = RESPONSES[error.code ?? ''] ?? '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.resume();
    socket.once('end', () => socket.destroy());
    setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  });
}
