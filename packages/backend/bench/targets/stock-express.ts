import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { greetingRequest } from '../../src/routes/greetings';

// What a typical tutorial setup looks like: helmet, pino-http with its defaults and
// express.json() on every route, serving the same validated greeting as the app.
const app = express();
app.use(helmet());
app.use(pinoHttp());
app.use(express.json());
app.get('/api/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/api/greetings', (req, res) => {
  const result = greetingRequest.safeParse(req.body);
  if (!result.success) {
    res.status(400).json({ errors: result.error.issues });
    return;
  }
  const { name } = result.data;
  res.status(201).json({ greeting: `Hello, ${name}!`, name, createdAt: new Date().toISOString() });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
