import request from 'supertest';
import { createTestApp } from '../support/test-app';

describe('notFound', () => {
  test.each(['/', '/api', '/api/unknown', '/API/HEALTH/x', '/favicon.ico'])(
    'answers %s with a 404 problem',
    async (path) => {
      const { app } = createTestApp();
      const response = await request(app).get(path).expect(404);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, instance: path });
      expect(response.body.detail).toBe(`No route matches GET ${path}.`);
    },
  );

  test('cuts a very long path short in the body', async () => {
    const { app } = createTestApp();
    const path = `/${'a'.repeat(2000)}`;
    const response = await request(app).delete(path).expect(404);
    expect(response.body.instance.length).toBeLessThanOrEqual(257);
  });
});
