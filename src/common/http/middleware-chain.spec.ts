import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { middlewareChain } from './middleware-chain';

const request = {} as Request;
const response = {} as Response;

/** Runs the chain once; resolves with what it handed to Express's next and the order of calls. */
function run(handlers: RequestHandler[]): Promise<{ error: unknown; calls: string[] }> {
  return new Promise((resolve) => {
    middlewareChain(handlers)(request, response, ((error?: unknown) =>
      resolve({ error, calls })) as NextFunction);
  });
}

let calls: string[];
beforeEach(() => {
  calls = [];
});

const passing =
  (name: string): RequestHandler =>
  (_request, _response, next) => {
    calls.push(name);
    next();
  };

describe('middlewareChain', () => {
  it('runs every handler in order, then hands on to Express without an error', async () => {
    const result = await run([passing('a'), passing('b'), passing('c')]);
    expect(result).toEqual({ error: undefined, calls: ['a', 'b', 'c'] });
  });

  it('waits for a handler that calls next later (a body being read)', async () => {
    const later: RequestHandler = (_request, _response, next) => {
      calls.push('later');
      setImmediate(() => next());
    };
    const result = await run([passing('a'), later, passing('c')]);
    expect(result.calls).toEqual(['a', 'later', 'c']);
  });

  it('skips the rest when a handler passes an error, and hands that error on', async () => {
    const failure = new Error('refused');
    const refusing: RequestHandler = (_request, _response, next) => next(failure);
    const result = await run([passing('a'), refusing, passing('c')]);
    expect(result).toEqual({ error: failure, calls: ['a'] });
  });

  it('hands on an error thrown by a handler as Express would', async () => {
    const failure = new Error('thrown');
    const throwing: RequestHandler = () => {
      throw failure;
    };
    const result = await run([throwing, passing('b')]);
    expect(result).toEqual({ error: failure, calls: [] });
  });

  it('hands on the rejection of an async handler as Express 5 would', async () => {
    const failure = new Error('rejected');
    const rejecting: RequestHandler = () => Promise.reject(failure);
    const result = await run([passing('a'), rejecting, passing('c')]);
    expect(result).toEqual({ error: failure, calls: ['a'] });
  });

  it('stops when a handler answers without calling next', async () => {
    const answering: RequestHandler = () => calls.push('answered');
    let handedOn = false;
    middlewareChain([answering, passing('b')])(request, response, () => {
      handedOn = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect({ handedOn, calls }).toEqual({ handedOn: false, calls: ['answered'] });
  });
});
