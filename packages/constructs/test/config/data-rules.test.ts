import { parseEnvironmentConfig, SlipwayConfigError } from '../../src';
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
});
