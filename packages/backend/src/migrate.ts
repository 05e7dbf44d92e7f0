import { ConfigError, loadConfig } from './config';
import { migrate } from './database/migrations';
import { createLogger } from './logger';

// `node dist/migrate.js [up | down [count]]`: the release's one-off task. It runs the image's migrations against
// DATABASE_URL once, before the service is updated (docs/backend.md, "Migrations"); the service never migrates.

const USAGE = 'usage: node dist/migrate.js [up | down [count]]  (DATABASE_URL names the database)';

function parseArguments(args: readonly string[]): { direction: 'up' | 'down'; count: number } | undefined {
  const [direction = 'up', count = '1', ...rest] = args;
  if (rest.length > 0 || (direction !== 'up' && direction !== 'down') || !/^[1-9]\d{0,3}$/.test(count)) {
    return undefined;
  }
  if (direction === 'up' && args.length > 1) {
    return undefined;
  }
  return { direction, count: Number(count) };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const command = parseArguments(process.argv.slice(2)) ?? fail(USAGE);
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(error.problems.join('\n'));
    }
    throw error;
  }
  const databaseUrl = config.databaseUrl ?? fail(`DATABASE_URL is not set: nothing to migrate. ${USAGE}`);
  const logger = createLogger(config);
  const started = performance.now();
  try {
    const ran = await migrate({ databaseUrl, logger, ...command });
    logger.info(
      { direction: command.direction, migrations: ran, durationMs: Math.round(performance.now() - started) },
      ran.length === 0
        ? 'migrate: nothing to do, the database is up to date'
        : `migrate: ran ${ran.length} migration(s)`,
    );
  } catch (err) {
    logger.fatal({ err }, `migrate: failed (${err instanceof Error ? err.message : String(err)}): exiting with code 1`);
    process.exitCode = 1;
  }
}

void main();
