import { textMessage } from './text-log';

describe('text log lines', () => {
  it('shows a request as method, URL, status and duration, with its id', () => {
    const line = {
      msg: 'request completed',
      requestId: 'r-1',
      req: { method: 'PATCH', url: '/users-organizations/v1/rs/users/me' },
      res: { statusCode: 200 },
      durationMs: 12,
    };
    expect(textMessage(line, 'msg')).toBe(
      'PATCH /users-organizations/v1/rs/users/me 200 12 ms (request r-1)',
    );
  });

  it("shows the app's own lines with their context, and a request id only where there is one", () => {
    expect(textMessage({ msg: 'Serving on x', context: 'Bootstrap' }, 'msg')).toBe(
      '[Bootstrap] Serving on x',
    );
    expect(textMessage({ msg: 'probe reached', requestId: 'r-2' }, 'msg')).toBe(
      'probe reached (request r-2)',
    );
  });
});
