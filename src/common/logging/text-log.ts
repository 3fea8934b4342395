import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** The fields a text line shows in its message, or leaves out as noise for a person. */
const FOLDED_FIELDS = 'pid,hostname,context,requestId,req,res,durationMs';

interface LogObject {
  context?: unknown;
  requestId?: unknown;
  req?: { method?: unknown; url?: unknown };
  res?: { statusCode?: unknown };
  durationMs?: unknown;
  [key: string]: unknown;
}

/**
 * One line a person reads: `[Context] message`, a request as `METHOD url status duration`, and
 * the request id where the line has one (a client's problem+json names it).
 */
export function textMessage(log: LogObject, messageKey: string): string {
  const { context, requestId, req, res, durationMs } = log;
  const message =
    req !== undefined && res !== undefined
      ? `${String(req.method)} ${String(req.url)} ${String(res.statusCode)} ${String(durationMs)} ms`
      : `${typeof context === 'string' ? `[${context}] ` : ''}${String(log[messageKey])}`;
  return typeof requestId === 'string' ? `${message} (request ${requestId})` : message;
}

/**
 * Where the text lines go: pino-pretty over the JSON lines, synchronously like the JSON log (a
 * line must not be lost to an exit), in colour on a terminal only.
 */
export function textDestination(destination?: DestinationStream): DestinationStream {
  return pretty({
    destination: destination ?? 1,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: FOLDED_FIELDS,
    messageFormat: (log, messageKey) => textMessage(log, messageKey),
  });
}
