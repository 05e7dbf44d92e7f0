import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StoppedTaskAlert } from '../../src/alarms';
import { EnvironmentDashboard } from '../../src/dashboard';
import { SlipwayCache, SlipwayDatabase, SlipwayDatabaseProps } from '../../src/data';
import { HttpApiService } from '../../src/service';
import { apiPlatform, backendAndWorker, platform, registryImage, spotSettings } from '../fixtures/stacks';

function dashboardBody(containerInsights: boolean): string {
  const base = platform({ containerInsights });
  const { stack, cluster, ingress } = base;
  const { backend, worker } = backendAndWorker(base);
  new EnvironmentDashboard(stack, 'Dashboard', {
    cluster,
    containerInsights,
    loadBalancer: ingress.loadBalancer,
    services: [backend, worker],
    dashboardName: 'slipway-dev',
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'slipway-dev' });
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  return JSON.stringify(dashboard.Properties.DashboardBody);
}

interface GraphWidget {
  readonly type: string;
  readonly properties: { readonly title: string; readonly metrics?: unknown[][]; readonly alarms?: string[] };
}

/**
 * The dashboard's widgets, its tokens written `{Ref:<logical id>}`, `{GetAtt:<logical id>.<attribute>}`, other
 * intrinsics as their JSON.
 */
function widgets(template: Template): GraphWidget[] {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  const parts: unknown[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
  const token = (part: any): string => {
    if (part.Ref) return `{Ref:${part.Ref}}`;
    if (part['Fn::GetAtt']) return `{GetAtt:${part['Fn::GetAtt'].join('.')}}`;
    return JSON.stringify(part).replace(/"/g, "'");
  };
  const text = parts.map((part) => (typeof part === 'string' ? part : token(part))).join('');
  return JSON.parse(text).widgets;
}

/** `[namespace, metric name, dimension, value, ...]` of each metric of the widget titled `title`, without options. */
function metricsOf(all: GraphWidget[], title: string): unknown[][] {
  const widget = all.find((w) => w.properties.title === title);
  expect(widget).toBeDefined();
  return widget!.properties.metrics!.map((metric) => metric.filter((part) => typeof part === 'string'));
}

/** An ALB platform with a backend and a worker, a database and a cache of the given forms, and its dashboard. */
function dataDashboard(database: Pick<SlipwayDatabaseProps, 'serverless' | 'instance'>, cacheNodes?: boolean) {
  const base = platform();
  const { stack, cluster, ingress, network } = base;
  const { backend, worker } = backendAndWorker(base);
  const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const db = new SlipwayDatabase(stack, 'Database', {
    vpc: network.vpc,
    ...database,
    encryptionKey: key,
    logRetention: logs.RetentionDays.ONE_WEEK,
  });
  const cache = new SlipwayCache(stack, 'Cache', {
    vpc: network.vpc,
    encryptionKey: key,
    nodes: cacheNodes ? { nodeType: 'cache.t4g.micro', replicas: 0 } : undefined,
  });
  new EnvironmentDashboard(stack, 'Dashboard', {
    cluster,
    loadBalancer: ingress.loadBalancer,
    services: [backend, worker],
    database: db,
    cache,
    dashboardName: 'slipway-prod',
  });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template: Template.fromStack(stack), db, cache, id };
}

describe('EnvironmentDashboard', () => {
  test('GIVEN services behind the ALB WHEN built THEN it graphs requests, errors, latency, CPU, memory and lists the alarms', () => {
    const body = dashboardBody(false);
    for (const text of [
      'Requests',
      '5xx errors',
      'Target response time',
      'p99',
      'CPU utilisation (%)',
      'Memory utilisation (%)',
      'Alarms',
      'HTTPCode_ELB_5XX_Count',
      'HTTPCode_Target_5XX_Count',
    ]) {
      expect(body).toContain(text);
    }
  });

  test('GIVEN Container Insights off THEN task counts are the healthy targets', () => {
    const body = dashboardBody(false);
    expect(body).toContain('Healthy targets');
    expect(body).toContain('HealthyHostCount');
    expect(body).not.toContain('RunningTaskCount');
  });

  test('GIVEN Container Insights on THEN task counts are running vs desired per service', () => {
    const body = dashboardBody(true);
    expect(body).toContain('Tasks running / desired');
    expect(body).toContain('RunningTaskCount');
    expect(body).toContain('worker desired');
  });

  test("GIVEN services behind the HTTP API WHEN built THEN it graphs the API's requests, errors and latency, with its alarms, and no ALB graphs", () => {
    const { stack, cluster, ingress } = apiPlatform();
    const frontend = new HttpApiService(stack, 'Frontend', {
      cluster,
      httpApi: ingress,
      serviceName: 'frontend',
      ...spotSettings,
      image: registryImage,
      containerPort: 8080,
    });
    new EnvironmentDashboard(stack, 'Dashboard', {
      cluster,
      httpApiStage: ingress.stage,
      additionalAlarms: ingress.alarms,
      services: [frontend],
      dashboardName: 'slipway-dev',
    });
    const dashboard = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of [
      'API requests',
      'API errors',
      'API latency (ms)',
      'AWS/ApiGateway',
      '\\"5xx\\"',
      '\\"4xx\\"',
      'IntegrationLatency',
      'CPU utilisation (%)',
      'Alarms',
    ]) {
      expect(body).toContain(text);
    }
    for (const text of ['HTTPCode_ELB_5XX_Count', 'Target response time', 'Healthy targets', 'RunningTaskCount']) {
      expect(body).not.toContain(text);
    }
    // The API's own alarms are listed with the services' alarms.
    expect(body).toContain(stack.getLogicalId(ingress.errorRateAlarm.node.defaultChild as never));
  });

  test('GIVEN Aurora Serverless v2 WHEN built THEN a database row graphs its CPU, ACU, connections and freeable memory on the cluster, and lists its alarms', () => {
    const { template, db, id } = dataDashboard({ serverless: { minCapacity: 0, maxCapacity: 2 } });
    const all = widgets(template);
    const cluster = `{Ref:${id(db.cluster!)}}`;
    expect(metricsOf(all, 'Database CPU (%)')).toEqual([['AWS/RDS', 'CPUUtilization', 'DBClusterIdentifier', cluster]]);
    expect(metricsOf(all, 'Database capacity (ACU)')).toEqual([
      ['AWS/RDS', 'ServerlessDatabaseCapacity', 'DBClusterIdentifier', cluster],
      ['AWS/RDS', 'ACUUtilization', 'DBClusterIdentifier', cluster],
    ]);
    expect(metricsOf(all, 'Database connections')).toEqual([
      ['AWS/RDS', 'DatabaseConnections', 'DBClusterIdentifier', cluster],
    ]);
    expect(metricsOf(all, 'Database freeable memory (bytes)')).toEqual([
      ['AWS/RDS', 'FreeableMemory', 'DBClusterIdentifier', cluster],
    ]);
    const listed = all.find((w) => w.type === 'alarm')!.properties.alarms!;
    for (const alarm of db.alarms) expect(listed).toContain(`{GetAtt:${id(alarm)}.Arn}`);
  });

  test('GIVEN an RDS instance WHEN built THEN the database row graphs its free storage instead of ACU, on the instance', () => {
    const { template, db, id } = dataDashboard({
      instance: {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
        multiAz: false,
        allocatedStorageGiB: 20,
      },
    });
    const all = widgets(template);
    const instance = `{Ref:${id(db.instance!)}}`;
    expect(metricsOf(all, 'Database CPU (%)')).toEqual([
      ['AWS/RDS', 'CPUUtilization', 'DBInstanceIdentifier', instance],
    ]);
    expect(metricsOf(all, 'Database free storage (bytes)')).toEqual([
      ['AWS/RDS', 'FreeStorageSpace', 'DBInstanceIdentifier', instance],
    ]);
    expect(all.map((w) => w.properties.title)).not.toContain('Database capacity (ACU)');
  });

  test('GIVEN a serverless cache WHEN built THEN a cache row graphs ECPUs, data stored, throttled commands and connections on its clusterId, and lists its alarm', () => {
    const { template, cache, id, stack } = dataDashboard({ serverless: { minCapacity: 0.5, maxCapacity: 2 } });
    const all = widgets(template);
    const name = `{Ref:${stack.getLogicalId(cache.serverlessCache!)}}`;
    expect(
      ['Cache ECPUs per minute', 'Cache data stored (bytes)', 'Cache throttled commands', 'Cache connections'].map(
        (title) => metricsOf(all, title),
      ),
    ).toEqual([
      [['AWS/ElastiCache', 'ElastiCacheProcessingUnits', 'clusterId', name]],
      [['AWS/ElastiCache', 'BytesUsedForCache', 'clusterId', name]],
      [['AWS/ElastiCache', 'ThrottledCmds', 'clusterId', name]],
      [['AWS/ElastiCache', 'CurrConnections', 'clusterId', name]],
    ]);
    expect(all.find((w) => w.type === 'alarm')!.properties.alarms).toContain(`{GetAtt:${id(cache.alarms[0])}.Arn}`);
  });

  test('GIVEN a node-based cache WHEN built THEN there is no cache row', () => {
    const { template } = dataDashboard({ serverless: { minCapacity: 0.5, maxCapacity: 2 } }, true);
    expect(widgets(template).map((w) => w.properties.title)).not.toContain('Cache throttled commands');
  });

  test('GIVEN the stopped-task alert WHEN built THEN a graph counts the tasks that stopped unexpectedly, with Container Insights off', () => {
    const base = platform();
    const { stack, cluster, ingress } = base;
    const { backend, worker } = backendAndWorker(base);
    const alert = new StoppedTaskAlert(stack, 'StoppedTasks', {
      cluster,
      topic: new sns.Topic(stack, 'Topic'),
    });
    new EnvironmentDashboard(stack, 'Dashboard', {
      cluster,
      loadBalancer: ingress.loadBalancer,
      services: [backend, worker],
      stoppedTaskAlert: alert,
    });
    const rule = `{Ref:${stack.getLogicalId(alert.rule.node.defaultChild as never)}}`;
    expect(metricsOf(widgets(Template.fromStack(stack)), 'Tasks stopped unexpectedly')).toEqual([
      ['AWS/Events', 'Invocations', 'RuleName', rule],
    ]);
  });
});
