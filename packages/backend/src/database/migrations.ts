import type { Logger } from 'pino';
import { MIGRATIONS_DIR } from '../migrations-dir';

/** What {@link migrate} does. */
export interface MigrateOptions {
  /** The PostgreSQL server and database to migrate. */
  readonly databaseUrl: string;
  readonly logger: Logger;
  /** `up` applies every pending migration; `down` reverts the last `count`. @default "up" */
  readonly direction?: 'up' | 'down';
  /** How many migrations `down` reverts. @default 1 */
  readonly count?: number;
  /** @default MIGRATIONS_DIR */
  readonly dir?: string;
}

/**
 * Applies (or reverts) migrations with node-pg-migrate: each in its own transaction, recorded in the
 * `pgmigrations` table, under an advisory lock so two runs at once cannot both apply one. Resolves with the names
 * of the migrations it ran, in order.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const direction = options.direction ?? 'up';
  // node-pg-migrate is an ES module; this package compiles to CommonJS (esbuild inlines it into the bundle).
  const { runner } = await import('node-pg-migrate');
  const ran = await runner({
    databaseUrl: options.databaseUrl,
    dir: options.dir ?? MIGRATIONS_DIR,
    direction,
    count: direction === 'up' ? Infinity : (options.count ?? 1),
    migrationsTable: 'pgmigrations',
    // A migration file older than the last one applied means two branches migrated in parallel: stop and say so.
    checkOrder: true,
    logger: {
      debug: () => undefined,
      info: (message: string) => options.logger.info(`migrate: ${message.trim()}`),
      warn: (message: string) => options.logger.warn(`migrate: ${message.trim()}`),
      error: (message: string) => options.logger.error(`migrate: ${message.trim()}`),
    },
  });
  return ran.map((migration) => migration.name);
}
