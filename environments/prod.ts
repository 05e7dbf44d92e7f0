import { defineEnvironment } from '@slipway/constructs';

/**
 * prod: survives the loss of a zone and of a task. On-demand Fargate across
 * three zones, at least two tasks per service scaling on CPU, HTTPS on your
 * domain behind AWS WAF, a NAT gateway per zone, a month of logs, Container
 * Insights, deletion protection, an Aurora database with a reader in another
 * zone, and releases that go out as canaries with alarm rollback. The
 * pipeline deploys here only after a person approves.
 *
 * The account id, domain, hosted zone and email are placeholders; deploying
 * them unchanged is refused with a message naming each one.
 */
export const prod = defineEnvironment({
  name: 'prod',
  account: '222222222222',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  network: { maxAzs: 3, natGateways: 3, natProvider: 'gateway', vpcEndpoints: ['ecr', 'logs', 's3'] },
  // No desiredCount: with autoscaling the template leaves the count to Application Auto Scaling (min is the floor).
  services: {
    backend: {
      cpu: 512,
      memoryMiB: 1024,
      capacity: 'on-demand',
      autoscaling: { min: 2, max: 6, cpuTargetPercent: 60 },
      uses: ['database', 'cache'],
      // As in dev.ts: environment: { ... } for plain settings, secrets: { ... } for keys (docs/environments.md).
    },
    frontend: {
      cpu: 256,
      memoryMiB: 512,
      capacity: 'on-demand',
      autoscaling: { min: 2, max: 4, cpuTargetPercent: 60 },
    },
  },
  serviceDiscovery: { namespace: 'prod.local' },
  https: { domainName: 'app.example.com', hostedZoneId: 'Z0000000000000EXAMPLE', hostedZoneName: 'example.com' },
  waf: true,
  logRetentionDays: 30,
  containerInsights: true,
  deletionProtection: true,
  alarms: { email: 'oncall@example.com' },
  highAvailability: true,
  // Each release takes 10 % of the traffic for 5 minutes after a smoke test through the test listener, then all of
  // it; the old tasks keep running 10 more minutes. A deployment alarm at any point rolls back.
  deployment: { strategy: 'canary', percent: 10, minutes: 5, bakeTimeMinutes: 10 },
  approval: { required: true },
  // A writer and a reader in another zone, never paused; two weeks of point-in-time recovery.
  database: { engine: 'aurora-serverless', minCapacity: 0.5, maxCapacity: 8, readers: 1, backupRetentionDays: 14 },
  // Serverless caches are replicated across zones by ElastiCache itself.
  cache: { mode: 'serverless' },
});
