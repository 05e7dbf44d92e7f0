import express from 'express';
import request from 'supertest';
import { securityHeaders } from '../../src/middleware/security-headers';

describe('securityHeaders', () => {
  test('sets the headers that protect API responses', async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/', (_req, res) => {
      res.json({});
    });
    const { headers } = await request(app).get('/').expect(200);
    expect(headers).toMatchObject({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    });
  });

  test('leaves out headers that only matter for HTML documents or retired browsers', async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/', (_req, res) => {
      res.json({});
    });
    const { headers } = await request(app).get('/').expect(200);
    for (const name of [
      'origin-agent-cluster',
      'cross-origin-opener-policy',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ]) {
      expect(headers).not.toHaveProperty(name);
    }
  });
});
