import { parse as parseContentType, type ContentType } from 'content-type';
import { json, type NextFunction, type Request, type Response } from 'express';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/** The largest legal PATCH is about 3 KiB (two 250-emoji names, 200 ids); 16 KiB leaves room. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Legal bodies nest 3 levels; the cap keeps recursive walkers (ours, class-transformer's) safe. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** The deepest nesting of objects and arrays in raw JSON text, strings skipped. */
export function jsonDepth(raw: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      deepest = Math.max(deepest, ++depth);
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return deepest;
}

class TooDeepError extends Error {}

const parseJson = json({
  limit: BODY_LIMIT_BYTES,
  strict: true,
  // The middleware below has checked the type already.
  type: () => true,
  verify: (_request, _response, raw) => {
    if (jsonDepth(raw) > MAX_JSON_DEPTH) throw new TooDeepError();
  },
});

interface BodyParserError {
  type?: string;
}

function toAppException(error: BodyParserError): AppException {
  if (error instanceof TooDeepError) {
    return new AppException(
      ErrorCode.VALIDATION_FAILED,
      `The body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`,
      { errors: [{ field: '', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` }] },
    );
  }
  switch (error.type) {
    case 'entity.too.large':
      return new AppException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `The body must not exceed ${BODY_LIMIT_BYTES} bytes.`,
      );
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppException(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        'The body must be JSON in UTF-8, without content encoding.',
      );
    default:
      return new AppException(ErrorCode.MALFORMED_JSON, 'The body is not a valid JSON document.');
  }
}

/** The parsed Content-Type, or null when it is missing or malformed. */
function contentTypeOf(request: Request): ContentType | null {
  try {
    return parseContentType(request.headers['content-type'] ?? '');
  } catch {
    return null;
  }
}

/**
 * Accepts only `application/json` bodies, in UTF-8 (a `charset` parameter other than `utf-8` is
 * 415: body-parser would decode UTF-16 and friends). Without this check a body of another type would reach
 * the handler as an empty object and be judged by validation instead of answered with 415. The
 * Content-Type is parsed once, here: body-parser is told every request it sees is its type.
 */
export function jsonBodyMiddleware(request: Request, response: Response, next: NextFunction) {
  const { headers } = request;
  // No body at all (type-is's rule), or an empty one, which needs no content type.
  const chunked = headers['transfer-encoding'] !== undefined;
  if (!chunked && (headers['content-length'] === undefined || headers['content-length'] === '0')) {
    return next();
  }
  const contentType = contentTypeOf(request);
  if (contentType?.type !== 'application/json') {
    return next(
      new AppException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'The body must be application/json.'),
    );
  }
  const charset = contentType.parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8') {
    return next(
      new AppException(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        'The body must be JSON in UTF-8: send charset=utf-8 or no charset.',
      ),
    );
  }
  parseJson(request, response, (error?: unknown) =>
    next(error ? toAppException(error) : undefined),
  );
}
