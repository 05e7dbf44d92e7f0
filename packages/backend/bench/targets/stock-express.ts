import express from 'express';
import helmet from 'helmet';
import { Pool } from 'pg';
import { pinoHttp } from 'pino-http';
import { greetingRequest } from '../../src/routes/greetings';

// What a typical tutorial setup looks like: helmet, pino-http with its defaults and
// express.json() on every route, serving the same validated greeting as the app and storing it the same way: one
// INSERT through a pg pool of the same size into the bench's database (DATABASE_URL).
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();
app.use(helmet());
app.use(pinoHttp());
app.use(express.json());
app.get('/api/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/api/greetings', async (req, res) => {
  const result = greetingRequest.safeParse(req.body);
  if (!result.success) {
    res.status(400).json({ errors: result.error.issues });
    return;
  }
  const { name } = result.data;
  const { rows } = await pool.query<{ id: string; created_at: Date }>(
    'INSERT INTO greetings (name, created_at) VALUES ($1, $2) RETURNING id, created_at',
    [name, new Date()],
  );
  res
    .status(201)
    .json({ id: rows[0].id, greeting: `Hello, ${name}!`, name, createdAt: rows[0].created_at.toISOString() });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
