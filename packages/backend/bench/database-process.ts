import { startEmbeddedDatabase } from '../dev/embedded-database';
import { loadConfig } from '../src/config';
import { migrate } from '../src/database/migrations';
import { createLogger } from '../src/logger';

// The bench's own PostgreSQL: a migrated, in-memory PGlite in a process of its own (so it takes no CPU from the
// load generator's process), on a loopback port. Prints `{"url":...}` once it is ready; runs until SIGTERM.

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
