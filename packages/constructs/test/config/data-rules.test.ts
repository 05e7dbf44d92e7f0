import { parseEnvironmentConfig, SlipwayConfigError } from '../../src/config';
import { devLike, prodLike, variant } from '../fixtures/environments';

const DEV = 'environments/dev.ts';
const PROD = 'environments/prod.ts';

/** The one message the settings give, or fail the test. */
function messageOf(config: unknown, file: string): string {
  try {
    parseEnvironmentConfig(config, file);
  } catch (error) {
    expect(error).toBeInstanceOf(SlipwayConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

const prodData = variant(prodLike, (c) => {
  c.database = { engine: 'aurora-serverless', minCapacity: 0.5, maxCapacity: 8, readers: 1, backupRetentionDays: 14 };
  c.cache = { mode: 'serverless' };
  c.services.backend.uses = ['database', 'cache'];
});

describe('data tier settings', () => {
  test('GIVEN dev with Aurora at 0 ACU and a serverless cache, prod with a reader WHEN parsed THEN both are accepted unchanged', () => {
    const dev = variant(devLike, (c) => {
      c.database = { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2 };
      c.cache = { mode: 'serverless' };
      c.services.backend.uses = ['database', 'cache'];
    });
    expect(parseEnvironmentConfig(dev, DEV)).toEqual(dev);
    expect(parseEnvironmentConfig(prodData, PROD)).toEqual(prodData);
  });

  test('GIVEN an RDS instance and a node cache WHEN parsed THEN they are accepted', () => {
    const config = variant(prodLike, (c) => {
      c.database = { engine: 'rds-instance', instanceClass: 'm7g.large', multiAz: true, allocatedStorageGiB: 100 };
      c.cache = { mode: 'node', nodeType: 'cache.t4g.small', replicas: 1 };
    });
    expect(parseEnvironmentConfig(config, PROD)).toEqual(config);
  });

  test('GIVEN 0 ACU minimum with highAvailability WHEN parsed THEN it is refused with the fix', () => {
    const config = variant(prodData as never, (c) => (c.database.minCapacity = 0));
    expect(messageOf(config, PROD)).toBe(
      'environments/prod.ts: database.minCapacity must be ≥ 0.5 when highAvailability is on; got 0. A database at 0 ACU pauses and takes about 15 s to resume: set minCapacity to 0.5 or more, or turn highAvailability off.',
    );
  });

  test('GIVEN highAvailability and an Aurora cluster without a reader WHEN parsed THEN it is refused', () => {
    const config = variant(prodData as never, (c) => delete c.database.readers);
    expect(messageOf(config, PROD)).toMatch(
      /^environments\/prod\.ts: database\.readers must be ≥ 1 when highAvailability is on; got nothing\. Set readers: 1/,
    );
  });

  test('GIVEN highAvailability and a single-zone RDS instance WHEN parsed THEN it is refused', () => {
    const config = variant(prodData as never, (c) => {
      c.database = { engine: 'rds-instance', instanceClass: 't4g.micro', multiAz: false, allocatedStorageGiB: 20 };
    });
    expect(messageOf(config, PROD)).toMatch(/database\.multiAz must be true when highAvailability is on; got false\./);
  });

  test('GIVEN highAvailability and a node cache without replicas WHEN parsed THEN it is refused', () => {
    const config = variant(
      prodData as never,
      (c) => (c.cache = { mode: 'node', nodeType: 'cache.t4g.micro', replicas: 0 }),
    );
    expect(messageOf(config, PROD)).toMatch(/cache\.replicas must be ≥ 1 when highAvailability is on; got 0\./);
  });

  test('GIVEN maxCapacity below minCapacity WHEN parsed THEN it is refused', () => {
    const config = variant(
      devLike,
      (c) => (c.database = { engine: 'aurora-serverless', minCapacity: 4, maxCapacity: 2 }),
    );
    expect(messageOf(config, DEV)).toBe(
      'environments/dev.ts: database.maxCapacity must be ≥ database.minCapacity (4); got 2. Raise maxCapacity or lower minCapacity.',
    );
  });

  test.each([
    [
      { engine: 'aurora-serverless', minCapacity: 0.25, maxCapacity: 2 },
      /database\.minCapacity must be a multiple of 0\.5 ACU; got 0\.25\./,
    ],
    [
      { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 300 },
      /database\.maxCapacity must be ≤ 256 ACU; got 300\./,
    ],
    [
      { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2, readers: 16 },
      /database\.readers must be between 0 and 15; got 16\./,
    ],
    [
      { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2, backupRetentionDays: 36 },
      /database\.backupRetentionDays must be between 1 and 35; got 36\./,
    ],
    [
      { engine: 'rds-instance', instanceClass: 'db.t4g.micro', multiAz: false, allocatedStorageGiB: 20 },
      /database\.instanceClass must be an instance class without 'db\.'; got "db\.t4g\.micro"\./,
    ],
    [
      { engine: 'rds-instance', instanceClass: 't4g.micro', multiAz: false, allocatedStorageGiB: 10 },
      /database\.allocatedStorageGiB must be between 20 and 65536; got 10\./,
    ],
    [{ engine: 'mysql' }, /database\.engine must have engine 'aurora-serverless' or 'rds-instance'; got "mysql"\./],
  ])('GIVEN database %j WHEN parsed THEN the field is named with the fix', (database, message) => {
    expect(
      messageOf(
        variant(devLike, (c) => (c.database = database)),
        DEV,
      ),
    ).toMatch(message);
  });

  test.each([
    [
      { mode: 'node', nodeType: 't4g.micro', replicas: 0 },
      /cache\.nodeType must be an ElastiCache node type; got "t4g\.micro"\. Use e\.g\. 'cache\.t4g\.micro'\./,
    ],
    [{ mode: 'node', nodeType: 'cache.t4g.micro', replicas: 6 }, /cache\.replicas must be between 0 and 5; got 6\./],
    [{ mode: 'cluster' }, /cache\.mode must have mode 'serverless' or 'node'; got "cluster"\./],
  ])('GIVEN cache %j WHEN parsed THEN the field is named with the fix', (cache, message) => {
    expect(
      messageOf(
        variant(devLike, (c) => (c.cache = cache)),
        DEV,
      ),
    ).toMatch(message);
  });

  test('GIVEN a service that uses a database the environment does not have WHEN parsed THEN it is refused', () => {
    const config = variant(devLike, (c) => (c.services.backend.uses = ['database']));
    expect(messageOf(config, DEV)).toBe(
      "environments/dev.ts: services.backend.uses.0 must name a resource of this environment, and it has no database; got \"database\". Add database to the environment's settings, or remove 'database' from uses.",
    );
  });

  test('GIVEN uses with an unknown name or a duplicate WHEN parsed THEN each is refused', () => {
    expect(
      messageOf(
        variant(devLike, (c) => (c.services.backend.uses = ['queue'])),
        DEV,
      ),
    ).toMatch(/services\.backend\.uses\.0 must be 'database' or 'cache'; got "queue"\./);
    const duplicate = variant(prodData as never, (c) => (c.services.backend.uses = ['cache', 'cache']));
    expect(messageOf(duplicate, PROD)).toMatch(/services\.backend\.uses must not list a resource twice/);
  });

  test('GIVEN a database in a one-zone VPC WHEN parsed THEN it is refused: RDS subnet groups need two zones', () => {
    const config = variant(devLike, (c) => {
      c.network.maxAzs = 1;
      c.cache = { mode: 'serverless' };
    });
    expect(messageOf(config, DEV)).toMatch(
      /network\.maxAzs must be ≥ 2 when the environment has a database or a cache; got 1\./,
    );
  });

  describe('database.restore', () => {
    const withRestore = (restore: unknown, engine: 'aurora' | 'instance' = 'aurora') =>
      variant(devLike, (c) => {
        c.database =
          engine === 'aurora'
            ? ({ engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2, restore } as never)
            : ({
                engine: 'rds-instance',
                instanceClass: 't4g.micro',
                multiAz: false,
                allocatedStorageGiB: 20,
                restore,
              } as never);
      });

    test.each([
      ['a cluster snapshot by name', { name: 'r20250612', snapshot: 'prod-before-migration' }, 'aurora'],
      [
        'a cluster snapshot by ARN',
        { name: 'r1', snapshot: 'arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:prod-before-migration' },
        'aurora',
      ],
      [
        'a point in time',
        { name: 'r2', sourceDatabase: 'prod-databasecluster-abc123', time: '2025-06-12T09:30:00Z' },
        'aurora',
      ],
      ['the latest restorable time', { name: 'r3', sourceDatabase: 'db-1', time: 'latest' }, 'instance'],
      [
        'a DB snapshot ARN',
        { name: 'r4', snapshot: 'arn:aws:rds:eu-west-1:123456789012:snapshot:before-upgrade' },
        'instance',
      ],
    ] as const)('GIVEN a restore from %s WHEN parsed THEN it is accepted unchanged', (_name, restore, engine) => {
      const config = withRestore(restore, engine);
      expect(parseEnvironmentConfig(config, DEV)).toEqual(config);
    });

    test('GIVEN both a snapshot and a source database WHEN parsed THEN it is refused: one source only', () => {
      expect(
        messageOf(withRestore({ name: 'r1', snapshot: 'snap', sourceDatabase: 'db', time: 'latest' }), DEV),
      ).toMatch(
        /^environments\/dev\.ts: database\.restore must have exactly one of snapshot and sourceDatabase; got \{/,
      );
    });

    test('GIVEN neither a snapshot nor a source database WHEN parsed THEN it is refused', () => {
      expect(messageOf(withRestore({ name: 'r1' }), DEV)).toMatch(
        /database\.restore must have exactly one of snapshot and sourceDatabase/,
      );
    });

    test('GIVEN a source database without a time WHEN parsed THEN it asks for the time', () => {
      expect(messageOf(withRestore({ name: 'r1', sourceDatabase: 'db' }), DEV)).toMatch(
        /database\.restore\.time is required with sourceDatabase; got nothing\. Give the moment to restore to in UTC/,
      );
    });

    test('GIVEN a snapshot with a time WHEN parsed THEN the time is refused', () => {
      expect(messageOf(withRestore({ name: 'r1', snapshot: 'snap', time: 'latest' }), DEV)).toMatch(
        /database\.restore\.time applies only to a point-in-time restore \(sourceDatabase\); got "latest"\./,
      );
    });

    test.each(['2025-06-12 09:30', '2025-06-12T09:30:00+02:00', '2025-13-40T09:30:00Z', 'yesterday'])(
      'GIVEN the time %s WHEN parsed THEN it is refused: ISO 8601 in UTC, or latest',
      (time) => {
        expect(messageOf(withRestore({ name: 'r1', sourceDatabase: 'db', time }), DEV)).toMatch(
          /database\.restore\.time must be 'latest' or a time in ISO 8601 UTC; got .*Use e\.g\. '2025-06-12T09:30:00Z'/,
        );
      },
    );

    test.each(['my snapshot', 'arn:aws:rds:eu-west-1:123:cluster-snapshot:x', '1-starts-with-digit', 'double--hyphen'])(
      'GIVEN the snapshot %s WHEN parsed THEN it is refused: an identifier or a snapshot ARN',
      (snapshot) => {
        expect(messageOf(withRestore({ name: 'r1', snapshot }), DEV)).toMatch(
          /database\.restore\.snapshot must be a snapshot identifier or a snapshot ARN; got /,
        );
      },
    );

    test.each(['R1', '1r', 'r-1', 'a'.repeat(21)])(
      'GIVEN the restore name %s WHEN parsed THEN it is refused',
      (name) => {
        expect(messageOf(withRestore({ name, snapshot: 'snap' }), DEV)).toMatch(
          /database\.restore\.name must be 1 to 20 lowercase letters and digits, starting with a letter/,
        );
      },
    );

    test.each([
      'rds:prod-databasecluster-abc-2025-06-12-03-10',
      'arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:rds:prod-2025-06-12',
    ])('GIVEN the automated snapshot %s WHEN parsed THEN it is refused: it goes with its database', (snapshot) => {
      expect(messageOf(withRestore({ name: 'r1', snapshot }), DEV)).toMatch(
        /database\.restore\.snapshot must be a manual snapshot, not an automated one \('rds:…'\); got .*copy it first/,
      );
    });

    test('GIVEN a source database ARN WHEN parsed THEN it asks for the identifier', () => {
      expect(
        messageOf(
          withRestore({ name: 'r1', sourceDatabase: 'arn:aws:rds:eu-west-1:123456789012:cluster:db', time: 'latest' }),
          DEV,
        ),
      ).toMatch(/database\.restore\.sourceDatabase must be an RDS identifier/);
    });

    test('GIVEN Aurora and a DB snapshot ARN WHEN parsed THEN the snapshot kind is refused', () => {
      expect(
        messageOf(withRestore({ name: 'r1', snapshot: 'arn:aws:rds:eu-west-1:123456789012:snapshot:inst' }), DEV),
      ).toMatch(
        /database\.restore\.snapshot must be a cluster snapshot \('…:cluster-snapshot:…'\) for engine 'aurora-serverless'/,
      );
    });

    test('GIVEN an RDS instance and a cluster snapshot ARN WHEN parsed THEN the snapshot kind is refused', () => {
      expect(
        messageOf(
          withRestore({ name: 'r1', snapshot: 'arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:c' }, 'instance'),
          DEV,
        ),
      ).toMatch(/database\.restore\.snapshot must be a DB snapshot \('…:snapshot:…'\) for engine 'rds-instance'/);
    });
  });
});
