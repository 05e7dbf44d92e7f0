import { Readiness } from '../src/readiness';

describe('Readiness', () => {
  test('starts ready and stays not ready once the drain began', () => {
    const readiness = new Readiness();
    expect(readiness.ready).toBe(true);
    readiness.beginDrain();
    expect(readiness.ready).toBe(false);
    readiness.beginDrain();
    expect(readiness.ready).toBe(false);
  });
});
