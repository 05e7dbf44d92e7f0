import { Match, Template } from 'aws-cdk-lib/assertions';
import { SlipwayAppStack } from '../../src/app';
import { EnvironmentConfig } from '../../src/config';
import { sampleApp, sampleServices } from '../fixtures/apps';
import { devHttpApi, prodLike } from '../fixtures/environments';

const devData: EnvironmentConfig = {
  ...devHttpApi,
  services: { ...devHttpApi.services, backend: { ...devHttpApi.services.backend, uses: ['database', 'cache'] } },
  database: { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2 },
  cache: { mode: 'serverless' },
};
const prodData: EnvironmentConfig = {
  ...prodLike,
  services: { ...prodLike.services, backend: { ...prodLike.services.backend, uses: ['database', 'cache'] } },
  database: { engine: 'aurora-serverless', minCapacity: 0.5, maxCapacity: 8, readers: 1 },
  cache: { mode: 'node', nodeType: 'cache.t4g.small', replicas: 1 },
};
const MIGRATE = ['node', 'dist/migrate.js', 'up'];

function synth(config: EnvironmentConfig) {
  // The whole App is synthesized with both cdk-nag packs: an unacknowledged finding throws here.
  const { app, stack } = sampleApp(config, {
    inStage: true,
    services: { backend: { ...sampleServices().backend, migrationCommand: MIGRATE } },
  });
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}

const dev = synth(devData);
const prod = synth(prodData);
// The other database engine of the settings, in both of its forms: a single instance (dev) and Multi-AZ (prod).
const devInstance = synth({
  ...devData,
  database: { engine: 'rds-instance', instanceClass: 't4g.micro', multiAz: false, allocatedStorageGiB: 20 },
});
const prodInstance = synth({
  ...prodData,
  database: { engine: 'rds-instance', instanceClass: 'm7g.large', multiAz: true, allocatedStorageGiB: 50 },
});

// Restores, which build the cluster and the instance from other CDK constructs: checked by both packs as well.
const prodRestored = synth({
  ...prodData,
  database: { ...prodData.database!, restore: { name: 'r20250612', snapshot: 'prod-before-migration' } } as never,
});
const devInstanceRestored = synth({
  ...devData,
  database: {
    engine: 'rds-instance',
    instanceClass: 't4g.micro',
    multiAz: false,
    allocatedStorageGiB: 20,
    restore: { name: 'r1', sourceDatabase: 'dev-instance', time: '2025-06-12T09:30:00Z' },
  },
});

function containerOf(template: Template, name: string) {
  const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  return definitions.flatMap((definition) => definition.Properties.ContainerDefinitions).find((c) => c.Name === name);
}

describe('SlipwayAppStack with a data tier', () => {
  test('GIVEN dev and prod with a database and a cache WHEN synthesized with both cdk-nag packs THEN there is no unacknowledged finding', () => {
    dev.template.resourceCountIs('AWS::RDS::DBCluster', 1);
    dev.template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 1);
    prod.template.resourceCountIs('AWS::RDS::DBInstance', 2);
    prod.template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
  });

  test("GIVEN the 'rds-instance' engine in dev and prod WHEN synthesized with both cdk-nag packs THEN there is no unacknowledged finding", () => {
    devInstance.template.resourceCountIs('AWS::RDS::DBCluster', 0);
    devInstance.template.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'postgres', MultiAZ: false });
    prodInstance.template.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'postgres', MultiAZ: true });
  });

  test('GIVEN prod and dev WHEN synthesized THEN prod has deletion protection, and both leave a final snapshot when CloudFormation removes or replaces the database', () => {
    prod.template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({ DeletionProtection: true }),
    });
    dev.template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({ DeletionProtection: false }),
    });
  });

  test.each([
    [
      'prod restored from a cluster snapshot',
      () => prodRestored,
      'AWS::RDS::DBCluster',
      /^DatabaseClusterR20250612/,
      'Endpoint.Address',
    ],
    [
      'dev restored to a point in time of an instance',
      () => devInstanceRestored,
      'AWS::RDS::DBInstance',
      /^DatabaseInstanceR1/,
      'Endpoint.Address',
    ],
  ])(
    'GIVEN %s WHEN synthesized with both cdk-nag packs THEN the backend and its migration use the restored database and its new secret',
    (_name, restored, type, logicalId, endpoint) => {
      const { stack, template } = restored();
      const [database] = Object.keys(template.findResources(type)).filter((id) => logicalId.test(id));
      expect(database).toBeDefined();
      const backend = containerOf(template, 'backend');
      const environment = Object.fromEntries(backend.Environment.map((v: any) => [v.Name, v.Value]));
      // THEN the connection settings name the restored database's endpoint
      expect(environment.PGHOST).toEqual({ 'Fn::GetAtt': [database, endpoint] });
      expect(environment.PGUSER).toBe('app');
      // AND the password is the restored database's own secret (attached to it), which ECS injects
      const password = backend.Secrets.find((secret: any) => secret.Name === 'PGPASSWORD');
      const [attachment] = Object.entries(template.findResources('AWS::SecretsManager::SecretTargetAttachment'));
      expect(attachment[1].Properties.TargetId).toEqual({ Ref: database });
      expect(JSON.stringify(password.ValueFrom)).toContain(attachment[0]);
      // AND the migration runs after the restored database exists (the new task definition makes it run again)
      const [migration] = Object.values(template.findResources('Custom::SlipwayDatabaseMigration'));
      expect(migration.DependsOn).toEqual(expect.arrayContaining([database]));
      expect(stack.node.tryFindChild('Database')).toBeDefined();
    },
  );

  test('GIVEN a service that uses both WHEN synthesized THEN it gets host, port, names as environment and the passwords only as ECS secrets', () => {
    const backend = containerOf(dev.template, 'backend');
    const environment = Object.fromEntries(backend.Environment.map((v: any) => [v.Name, v.Value]));
    expect(environment).toMatchObject({
      PGHOST: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Address'] },
      PGPORT: '5432',
      PGDATABASE: 'app',
      PGUSER: 'app',
      PGSSLMODE: 'verify-full',
      REDIS_HOST: { 'Fn::GetAtt': [expect.stringMatching(/^CacheServerlessCache/), 'Endpoint.Address'] },
      REDIS_USERNAME: 'app',
    });
    expect(Object.keys(environment)).not.toEqual(expect.arrayContaining(['PGPASSWORD']));
    expect(JSON.stringify(backend.Environment)).not.toMatch(/password/i);
    // ECS ContainerDefinition Secrets: ValueFrom "<secret arn>:password::" reads one JSON key at task start.
    expect(backend.Secrets).toEqual([
      {
        Name: 'PGPASSWORD',
        ValueFrom: {
          'Fn::Join': ['', [{ Ref: expect.stringMatching(/^DatabaseClusterSecretAttachment/) }, ':password::']],
        },
      },
      {
        Name: 'REDIS_PASSWORD',
        ValueFrom: { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^CacheSecret/) }, ':password::']] },
      },
    ]);
    expect(containerOf(dev.template, 'frontend').Secrets).toBeUndefined();
  });

  test('GIVEN a database that pauses when idle (dev, 0 ACU) WHEN synthesized THEN the API waits 25 s for a connection while it resumes; prod never pauses and keeps the 2 s default', () => {
    const environmentOf = (template: Template) =>
      Object.fromEntries(containerOf(template, 'backend').Environment.map((v: any) => [v.Name, v.Value]));
    expect(environmentOf(dev.template).PGCONNECT_TIMEOUT).toBe('25');
    expect(environmentOf(prod.template)).not.toHaveProperty('PGCONNECT_TIMEOUT');
  });

  test("GIVEN the backend's execution role WHEN synthesized THEN it may read exactly the two secrets it uses", () => {
    const policies = Object.values(dev.template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('BackendTaskDefinitionExecutionRole'),
    );
    const secretStatements = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: any) =>
        [statement.Action].flat().some((action: string) => action.startsWith('secretsmanager:')),
      );
    expect(secretStatements).toHaveLength(2);
    expect(secretStatements.map((statement: any) => JSON.stringify(statement.Resource))).toEqual([
      expect.stringMatching(/DatabaseClusterSecretAttachment/),
      expect.stringMatching(/CacheSecret/),
    ]);
    const frontendPolicies = JSON.stringify(
      Object.values(dev.template.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes('FrontendTaskDefinitionExecutionRole'),
      ),
    );
    expect(frontendPolicies).not.toMatch(/secretsmanager/);
  });

  test('GIVEN a service that uses them WHEN synthesized THEN the database and cache admit it and not the other service', () => {
    const ingress = Object.values(dev.template.findResources('AWS::EC2::SecurityGroupIngress')).map((rule) =>
      JSON.stringify([rule.Properties.GroupId, rule.Properties.SourceSecurityGroupId]),
    );
    expect(ingress.filter((rule) => /DatabaseSecurityGroup.*BackendSecurityGroup/.test(rule))).toHaveLength(1);
    expect(ingress.filter((rule) => /CacheSecurityGroup.*BackendSecurityGroup/.test(rule))).toHaveLength(1);
    expect(ingress.filter((rule) => /(Database|Cache)SecurityGroup.*FrontendSecurityGroup/.test(rule))).toHaveLength(0);
  });

  test('GIVEN dev with Aurora that pauses and a serverless cache WHEN synthesized THEN their alarms notify the alarm topic and the dashboard has a row for each', () => {
    const { stack, template } = dev;
    const topicRef = { Ref: stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as never) };
    for (const metricName of ['CPUUtilization', 'ACUUtilization', 'ThrottledCmds']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
        OKActions: [topicRef],
      });
    }
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody,
    );
    for (const title of ['Database capacity (ACU)', 'Cache throttled commands', 'Tasks stopped unexpectedly']) {
      expect(body).toContain(title);
    }
  });

  test('GIVEN an RDS instance WHEN synthesized THEN its free-storage alarm notifies the alarm topic', () => {
    const { stack, template } = devInstance;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace',
      Threshold: 2 * 1024 ** 3,
      AlarmActions: [{ Ref: stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as never) }],
    });
  });

  describe('migrations once per release', () => {
    test('GIVEN a migration command WHEN synthesized THEN the service is updated only after the migration custom resource, which comes after the database', () => {
      const template = dev.template.toJSON();
      const [serviceId] = Object.keys(dev.template.findResources('AWS::ECS::Service')).filter((id) =>
        id.startsWith('Backend'),
      );
      const [migrationId] = Object.keys(dev.template.findResources('Custom::SlipwayDatabaseMigration'));
      // CloudFormation creates or updates a resource only after everything in its DependsOn.
      expect(template.Resources[serviceId].DependsOn).toContain(migrationId);
      const migration = template.Resources[migrationId];
      expect(migration.DependsOn).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^DatabaseCluster[0-9A-F]{8}$/),
          expect.stringMatching(/^DatabaseClusterWriter/),
        ]),
      );
      // The task definition's ARN changes with each revision: a new image means an Update, which runs the migration.
      expect(migration.Properties).toMatchObject({
        TaskDefinition: { Ref: expect.stringMatching(/^BackendTaskDefinition/) },
        ContainerName: 'backend',
        Command: MIGRATE,
        SecurityGroups: [{ 'Fn::GetAtt': [expect.stringMatching(/^BackendSecurityGroup/), 'GroupId'] }],
      });
    });

    test('GIVEN the migration function WHEN synthesized THEN it may run only the backend task definition in this cluster, pass only its two roles, and is never retried', () => {
      const statements = Object.values(dev.template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('BackendMigrationFunction'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      expect(statements).toEqual([
        {
          Action: 'ecs:RunTask',
          Effect: 'Allow',
          Resource: { Ref: expect.stringMatching(/^BackendTaskDefinition/) },
          Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'] } } },
        },
        expect.objectContaining({ Action: 'ecs:DescribeTasks', Condition: expect.anything() }),
        {
          Action: 'iam:PassRole',
          Effect: 'Allow',
          Resource: [
            { 'Fn::GetAtt': [expect.stringMatching(/^BackendTaskDefinitionExecutionRole/), 'Arn'] },
            { 'Fn::GetAtt': [expect.stringMatching(/^BackendTaskDefinitionTaskRole/), 'Arn'] },
          ],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
      ]);
      // AWS::Lambda::EventInvokeConfig: CloudFormation invokes custom resources asynchronously; a retry would
      // start a second migration task.
      dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
      dev.template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, Runtime: 'nodejs24.x' });
    });

    test('GIVEN an environment without a database WHEN synthesized THEN the migration command is ignored', () => {
      const { app, stack } = sampleApp(devHttpApi, {
        services: { backend: { ...sampleServices().backend, migrationCommand: MIGRATE } },
      });
      app.synth();
      Template.fromStack(stack as SlipwayAppStack).resourceCountIs('Custom::SlipwayDatabaseMigration', 0);
    });
  });
});
