import { createLogger } from '../src/logger';
import { LogCapture, testConfig } from './support/test-app';

describe('createLogger', () => {
  test('writes JSON lines with a level name, ISO time and the deployment fields', () => {
    const logs = new LogCapture();
    createLogger(testConfig(), logs.stream).info({ requestId: 'r' }, 'hello');
    expect(logs.lines).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        pid: process.pid,
        environment: 'test',
        version: '1.2.3',
        gitSha: '0123456789abcdef0123456789abcdef01234567',
        requestId: 'r',
        msg: 'hello',
      },
    ]);
  });

  test('drops lines below LOG_LEVEL', () => {
    const logs = new LogCapture();
    const logger = createLogger(testConfig({ LOG_LEVEL: 'warn' }), logs.stream);
    logger.info('quiet');
    logger.warn('loud');
    expect(logs.lines.map((line) => line.msg)).toEqual(['loud']);
  });

  test('serializes errors with their stack', () => {
    const logs = new LogCapture();
    createLogger(testConfig(), logs.stream).error({ err: new TypeError('bad') }, 'failed');
    expect(logs.lines[0].err).toMatchObject({
      type: 'TypeError',
      message: 'bad',
      stack: expect.stringContaining('TypeError: bad'),
    });
  });
});
