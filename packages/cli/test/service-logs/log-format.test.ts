import { formatLogMessage } from '../../src/service-logs/log-format';

describe('formatLogMessage', () => {
  test("the backend's pino line (label levels, ISO time, requestId) becomes time, level, request id, message", () => {
    // The shape createLogger + accessLog write (packages/backend): level as its label, isoTime, requestId.
    const line = JSON.stringify({
      level: 'info',
      time: '2024-05-01T10:00:00.123Z',
      pid: 1,
      environment: 'dev',
      version: '1.0.0',
      gitSha: 'abc',
      requestId: '5f0c2a',
      method: 'GET',
      path: '/api/items',
      status: 200,
      durationMs: 3.2,
      msg: 'request completed',
    });
    expect(formatLogMessage(line)).toBe('2024-05-01T10:00:00.123Z INFO  [5f0c2a] request completed');
  });

  test("pino's defaults (numeric level, epoch milliseconds, req.id) and an error's message", () => {
    const line = JSON.stringify({
      level: 50,
      time: Date.UTC(2024, 4, 1, 10, 0, 0),
      req: { id: 7 },
      msg: 'request failed',
      err: { type: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at f' },
    });
    expect(formatLogMessage(line)).toBe(
      '2024-05-01T10:00:00.000Z ERROR [7] request failed (TypeError: x is undefined)',
    );
  });

  test('a line without a request id has none', () => {
    expect(formatLogMessage('{"level":"warn","time":"2024-05-01T10:00:00.000Z","msg":"shutting down"}')).toBe(
      '2024-05-01T10:00:00.000Z WARN  shutting down',
    );
  });

  test.each([
    '10.0.1.5 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 612',
    'Error: Cannot find module /app/server.js',
    '{not json',
    '{"some":"json without level or msg"}',
  ])('shows a non-pino line as it is: %s', (line) => {
    expect(formatLogMessage(line)).toBe(line);
  });
});
