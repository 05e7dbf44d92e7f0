import * as path from 'node:path';
import { startEmbeddedDatabase } from './embedded-database';
import { loadConfig } from '../src/config';
import { migrate } from '../src/database/migrations';
import { createLogger } from '../src/logger';

// `npx projen dev`: the API from source. Without DATABASE_URL it first starts the embedded PostgreSQL (PGlite),
// keeping its data in PGLITE_DATA_DIR (default .data/pglite, gitignored), and migrates it: the one place the API's
// own process migrates. The container never does either (docs/backend.md, "Migrations").

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    const logger = createLogger(loadConfig(process.env));
    const dataDir = path.resolve(process.env.PGLITE_DATA_DIR || path.join(__dirname, '..', '.data', 'pglite'));
    const database = await startEmbeddedDatabase({ dataDir });
    const ran = await migrate({ databaseUrl: database.url, logger });
    logger.info({ dataDir, migrations: ran }, `embedded PostgreSQL (PGlite) on ${database.url}, data in ${dataDir}`);
    process.env.DATABASE_URL = database.url;
  }
  // Loaded only now, as a plain require (this package is CommonJS): server.ts reads DATABASE_URL as it loads.
  require('../src/server'); // eslint-disable-line @typescript-eslint/no-require-imports
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
