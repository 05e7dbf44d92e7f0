import express from 'express';

// The floor of any Express app: Express 5 with its defaults and one route.
const app = express();
app.get('/api/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
