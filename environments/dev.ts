import { defineEnvironment } from '@slipway/constructs';

/**
 * dev: the cheapest setup that still behaves like prod. One Fargate Spot task
 * per service, a NAT instance instead of NAT gateways, an API Gateway HTTP API
 * instead of a load balancer (no custom domain: HTTPS on the API's own
 * execute-api name), a week of logs, and an Aurora Serverless database that
 * pauses when idle, and the services sleep out of hours. No cache: with one backend task the API's in-process rate
 * limit is exact, and a Valkey cache would add ~$6.50 a month. About $27 a
 * month at list price (docs/cost.md). Every push to the pipeline's branch lands here first.
 *
 * The account id and the NAT instance's AMI id are placeholders: put your dev
 * account's id and your region's image here before deploying (synth and tests
 * work without them).
 */
export const dev = defineEnvironment({
  name: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  // Listed, not looked up: synth needs no AWS credentials. Two zones for the private subnets' spread.
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  network: {
    maxAzs: 2,
    natGateways: 1,
    natProvider: 'instance',
    // A placeholder, refused at deploy: put the Amazon Linux 2023 arm64 AMI of your region here, from
    // aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 \
    //   --region eu-west-1 --query Parameter.Value --output text
    // Fixed on purpose: a new Amazon Linux release changes nothing until you change this id.
    natInstance: { amiId: 'ami-00000000000000000' },
  },
  services: {
    backend: {
      cpu: 256,
      memoryMiB: 512,
      desiredCount: 1,
      capacity: 'spot',
      uses: ['database'],
      // The service's own settings in this environment (docs/environments.md, "A service's own settings"), e.g.
      // a plain address, a secret the stack creates for you to fill in, and one you keep in Parameter Store:
      // environment: { TEMPORAL_ADDRESS: 'temporal.dev.example.com:7233' },
      // secrets: {
      //   TEMPORAL_API_KEY: { create: true },
      //   STRIPE_API_KEY: { parameterName: '/payments/dev/stripe-api-key' },
      // },
    },
    frontend: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' },
  },
  // backend.dev.local and frontend.dev.local inside the VPC.
  serviceDiscovery: { namespace: 'dev.local' },
  // An ALB and its public IPv4 addresses alone cost ~$24/month; the HTTP API costs $1 per million requests.
  ingress: { type: 'http-api' },
  logRetentionDays: 7,
  containerInsights: false,
  deletionProtection: false,
  highAvailability: false,
  // The services run on working days, 07:00–20:00 in Europe/Dublin (the region's time zone: put your team's here), and
  // are scaled to zero the rest of the week (65 of 168 hours): the URL answers 503 at night, and a push then is verified
  // by its task definitions (docs/environments.md, "Out-of-hours schedule").
  schedule: { timezone: 'Europe/Dublin', awake: { days: 'MON-FRI', from: '07:00', to: '20:00' } },
  // Aurora Serverless v2 that pauses after 5 idle minutes (0 ACU: storage only, ~15 s to resume); docs/data.md.
  database: { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2, backupRetentionDays: 1 },
  // No cache (prod has one): add `cache: { mode: 'serverless' }` and 'cache' in the backend's `uses` to try it.
});
