import express from 'express';
import request from 'supertest';
import { HttpProblem } from '../../src/errors/http-problem';
import { echo, sendProblem } from '../../src/errors/send-problem';
import { requestId } from '../../src/middleware/request-id';

describe('sendProblem', () => {
  test('writes application/problem+json with instance and request id, and no errors member unless given', async () => {
    const app = express();
    app.use(requestId());
    app.get('/teapot', (req, res) =>
      sendProblem(req, res, new HttpProblem({ status: 418, detail: 'Short and stout.' })),
    );
    const response = await request(app).get('/teapot?x=1').set('X-Request-Id', 'r-1').expect(418);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(response.text)).toEqual({
      type: 'about:blank',
      title: "I'm a Teapot",
      status: 418,
      detail: 'Short and stout.',
      instance: '/teapot',
      requestId: 'r-1',
    });
  });
});

describe('echo', () => {
  test('keeps short text and cuts long client text to 256 characters', () => {
    expect(echo('short')).toBe('short');
    expect(echo('x'.repeat(1000))).toBe(`${'x'.repeat(256)}…`);
  });
});
