import { startEmbeddedDatabase } from './embedded-database';
import { loadConfig } from '../src/config';
import { migrate } from '../src/database/migrations';
import { createLogger } from '../src/logger';

// A migrated, in-memory PGlite in a process of its own, on a loopback port, for whatever runs the API's bundle
// and needs a database beside it: the bench (so the database takes no CPU from the load generator's process) and
// the frontend's browser tests. Prints `{"url":...}` once it is ready; runs until SIGTERM.

async function main(): Promise<void> {
  const database = await startEmbeddedDatabase();
  await migrate({ databaseUrl: database.url, logger: createLogger(loadConfig({ LOG_LEVEL: 'silent' })) });
  process.once('SIGTERM', () => {
    void database.stop().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ url: database.url })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
