import type { Database } from './database';

/** A greeting as stored: what `POST /api/greetings` created. */
export interface StoredGreeting {
  /** The row's id, as a string: bigint does not fit a JSON number. */
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
}

/** Where greetings are kept. */
export interface GreetingStore {
  /** Stores a greeting for `name` made at `createdAt`. */
  add(name: string, createdAt: Date): Promise<StoredGreeting>;
  /** The `limit` most recent greetings, newest first. */
  latest(limit: number): Promise<StoredGreeting[]>;
}

interface GreetingRow {
  readonly id: string;
  readonly name: string;
  readonly created_at: Date;
}

const toGreeting = (row: GreetingRow): StoredGreeting => ({ id: row.id, name: row.name, createdAt: row.created_at });

/** The `greetings` table (migrations/), through {@link Database}. */
export class PostgresGreetingStore implements GreetingStore {
  constructor(private readonly database: Database) {}

  public async add(name: string, createdAt: Date): Promise<StoredGreeting> {
    const [row] = await this.database.query<GreetingRow>(
      'INSERT INTO greetings (name, created_at) VALUES ($1, $2) RETURNING id, name, created_at',
      [name, createdAt],
    );
    return toGreeting(row);
  }

  public async latest(limit: number): Promise<StoredGreeting[]> {
    const rows = await this.database.query<GreetingRow>(
      // id breaks ties between greetings made in the same millisecond: the later insert is the newer one.
      'SELECT id, name, created_at FROM greetings ORDER BY created_at DESC, id DESC LIMIT $1',
      [limit],
    );
    return rows.map(toGreeting);
  }
}
