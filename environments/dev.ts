import { defineEnvironment } from '@slipway/constructs';

/**
 * dev: the cheapest setup that still behaves like prod. One Fargate Spot task
 * per service, a NAT instance instead of NAT gateways, plain HTTP on the load
 * balancer's own name, a week of logs. Every push to the pipeline's branch
 * lands here first.
 *
 * The account id is a placeholder: put your dev account's id here before
 * deploying (synth and tests work without one).
 */
export const dev = defineEnvironment({
  name: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  // Listed, not looked up: synth needs no AWS credentials. An ALB needs two zones.
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  network: { maxAzs: 2, natGateways: 1, natProvider: 'instance' },
  services: {
    backend: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' },
    frontend: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' },
  },
  // backend.dev.local and frontend.dev.local inside the VPC.
  serviceDiscovery: { namespace: 'dev.local' },
  logRetentionDays: 7,
  containerInsights: false,
  deletionProtection: false,
  highAvailability: false,
});
