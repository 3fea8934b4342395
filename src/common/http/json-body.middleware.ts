import { json, type NextFunction, type Request, type Response } from 'express';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/** The largest legal PATCH is about 3 KiB (two 250-emoji names, 200 ids); 16 KiB leaves room. */
export const BODY_LIMIT_BYTES = 16 * 1024;

const parseJson = json({ limit: BODY_LIMIT_BYTES, strict: true, type: 'application/json' });

interface BodyParserError {
  type?: string;
}

function toAppException(error: BodyParserError): AppException {
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

/**
 * Accepts only `application/json` bodies. Without this check a body of another type would reach
 * the handler as an empty object and be judged by validation instead of answered with 415.
 */
export function jsonBodyMiddleware(request: Request, response: Response, next: NextFunction) {
  const bodyType = request.is('application/json');
  if (bodyType === null) return next();
  if (bodyType === false) {
    return next(
      new AppException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'The body must be application/json.'),
    );
  }
  parseJson(request, response, (error?: unknown) =>
    next(error ? toAppException(error) : undefined),
  );
}
