import { Client } from 'pg';
import { startEmbeddedDatabase } from '../../dev/embedded-database';
import { migrate } from '../../src/database/migrations';
import { createLogger } from '../../src/logger';
import { databaseTargets } from '../support/databases';
import { testConfig } from '../support/test-app';

jest.setTimeout(30_000);

const logger = createLogger(testConfig({ LOG_LEVEL: 'silent' }));

async function tables(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

// The images the other database tests start from are made by this same function, once per run, in jest's global
// setup (test/support/pglite-images.ts); here it runs where it is measured, on a database of its own.
describe.each(databaseTargets().map((target) => [target.name, target] as const))('migrate() on %s', (_name, target) => {
  test('applies every migration once, records it, and `down` reverts the last', async () => {
    const database = await target.create({ migrated: false });
    try {
      expect(await tables(database.url)).toEqual([]);
      const ran = await migrate({ databaseUrl: database.url, logger });
      expect(ran).toEqual([expect.stringMatching(/^\d+_create-greetings$/)]);
      expect(await tables(database.url)).toEqual(['greetings', 'pgmigrations']);
      expect(await migrate({ databaseUrl: database.url, logger })).toEqual([]);
      expect(await migrate({ databaseUrl: database.url, logger, direction: 'down' })).toEqual(ran);
      expect(await tables(database.url)).toEqual(['pgmigrations']);
    } finally {
      await database.drop();
    }
  });
});

describe('an embedded database started from a dump of another', () => {
  test('has what the other had when it was dumped, and nothing written to the other afterwards', async () => {
    const original = await databaseTargets()[0].create();
    try {
      const client = new Client({ connectionString: original.url });
      await client.connect();
      await client.query("INSERT INTO greetings (name, created_at) VALUES ('Before', now())");
      const image = await original.embedded!.dump();
      await client.query("INSERT INTO greetings (name, created_at) VALUES ('After', now())");
      await client.end();
      const copy = await startEmbeddedDatabase({ image });
      try {
        const reader = new Client({ connectionString: copy.url });
        await reader.connect();
        const { rows } = await reader.query<{ name: string }>('SELECT name FROM greetings');
        await reader.end();
        expect(rows.map((row) => row.name)).toEqual(['Before']);
      } finally {
        await copy.stop();
      }
    } finally {
      await original.drop();
    }
  });
});
