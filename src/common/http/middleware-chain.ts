import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * The handlers as one Express middleware, run in order. Express runs each mounted middleware
 * through its router (path match, parameter pass, prefix trim): about 2 µs each on every
 * request, for handlers that all apply to every path. An error (passed on, thrown while the
 * chain runs synchronously, or a rejection of the promise a handler returns) skips the rest and
 * goes to Express's error handling, as it would from separately mounted handlers.
 */
export function middlewareChain(handlers: readonly RequestHandler[]): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined || index === handlers.length) {
        next(error);
        return;
      }
      const handler = handlers[index++];
      try {
        const returned: unknown = handler(request, response, step);
        if (returned instanceof Promise) returned.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
