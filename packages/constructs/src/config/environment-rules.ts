import { APP_SETTINGS_RULES } from './app-settings-rules';
import { DATA_RULES } from './data-rules';
import { isTrafficShifting } from './deployment-config';
import { EnvironmentConfig, isHttpApiIngress, isMixedCapacity } from './environment-config';
import { fargateTaskSizeIssue } from './fargate-sizes';
import { arnOutsideRegionIssue, perService } from './shared-rules';
import { ConfigIssue } from './slipway-config-error';

/**
 * The command that prints the current Amazon Linux 2023 arm64 AMI id, for the NAT instance's
 * `network.natInstance.amiId` (arm64 because the NAT is a Graviton t4g.nano).
 */
export const NAT_AMI_COMMAND =
  '`aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --region <region> --query Parameter.Value --output text`';

/** NAT_AMI_COMMAND for one region. */
export function natAmiCommand(region: string): string {
  return NAT_AMI_COMMAND.replace('<region>', region);
}

/**
 * Cross-field rules over an environment whose shape already passed the schema.
 * Each returns the problems it finds; `checkEnvironmentRules` runs them all so
 * one run reports every problem at once.
 */
type EnvironmentRule = (config: EnvironmentConfig) => ConfigIssue[];

const availabilityZonesInRegion: EnvironmentRule = (config) =>
  config.availabilityZones.flatMap((zone, index) =>
    zoneRegion(zone) === config.region
      ? []
      : [
          {
            field: `availabilityZones.${index}`,
            value: zone,
            problem: `must be a zone of region ${config.region}`,
            fix: `Use zones such as ${config.region}a, or change region.`,
          },
        ],
  );

const availabilityZonesUnique: EnvironmentRule = (config) =>
  new Set(config.availabilityZones).size === config.availabilityZones.length
    ? []
    : [
        {
          field: 'availabilityZones',
          value: config.availabilityZones,
          problem: 'must not list a zone twice',
          fix: 'Remove the duplicate zone.',
        },
      ];

const maxAzsWithinZones: EnvironmentRule = (config) =>
  config.network.maxAzs <= config.availabilityZones.length
    ? []
    : [
        {
          field: 'network.maxAzs',
          value: config.network.maxAzs,
          problem: `must be ≤ the ${config.availabilityZones.length} zone(s) listed in availabilityZones`,
          fix: 'Lower maxAzs or list more availabilityZones.',
        },
      ];

const natWithinAzs: EnvironmentRule = (config) =>
  config.network.natGateways <= config.network.maxAzs
    ? []
    : [
        {
          field: 'network.natGateways',
          value: config.network.natGateways,
          problem: `must be ≤ network.maxAzs (${config.network.maxAzs})`,
          fix: 'A NAT per AZ is the most that is useful: lower natGateways or raise maxAzs.',
        },
      ];

const natInstanceImageSet: EnvironmentRule = (config) => {
  const instance = (config.network.natProvider ?? 'gateway') === 'instance';
  if (instance && !config.network.natInstance) {
    return [
      {
        field: 'network.natInstance',
        value: config.network.natInstance,
        problem: "is required when natProvider is 'instance'",
        fix: `Add natInstance: { amiId: '<id>' } with the id printed by ${natAmiCommand(config.region)}; Slipway never picks "the latest" image, which would replace the NAT on every Amazon Linux release.`,
      },
    ];
  }
  if (!instance && config.network.natInstance) {
    return [
      {
        field: 'network.natInstance',
        value: config.network.natInstance,
        problem: "must be absent unless natProvider is 'instance'",
        fix: "NAT gateways have no image: remove natInstance, or set natProvider: 'instance'.",
      },
    ];
  }
  return [];
};

const endpointsUnique: EnvironmentRule = (config) => {
  const endpoints = config.network.vpcEndpoints ?? [];
  return new Set(endpoints).size === endpoints.length
    ? []
    : [
        {
          field: 'network.vpcEndpoints',
          value: endpoints,
          problem: 'must not list an endpoint twice',
          fix: 'Remove the duplicate.',
        },
      ];
};

const highAvailabilityZones: EnvironmentRule = (config) =>
  !config.highAvailability || config.network.maxAzs >= 2
    ? []
    : [
        {
          field: 'network.maxAzs',
          value: config.network.maxAzs,
          problem: 'must be ≥ 2 when highAvailability is on',
          fix: 'List at least two availabilityZones and set maxAzs to 2 or more, or turn highAvailability off.',
        },
      ];

const highAvailabilityNat: EnvironmentRule = (config) => {
  if (!config.highAvailability) return [];
  const issues: ConfigIssue[] = [];
  if ((config.network.natProvider ?? 'gateway') === 'instance') {
    issues.push({
      field: 'network.natProvider',
      value: config.network.natProvider,
      problem: "must be 'gateway' when highAvailability is on",
      fix: "A NAT instance is a single point of failure: use natProvider: 'gateway', or turn highAvailability off.",
    });
  }
  if (config.network.natGateways < config.network.maxAzs) {
    issues.push({
      field: 'network.natGateways',
      value: config.network.natGateways,
      problem: `must equal network.maxAzs (${config.network.maxAzs}) when highAvailability is on`,
      fix: `Set natGateways to ${config.network.maxAzs} so losing one AZ does not cut egress for the others, or turn highAvailability off.`,
    });
  }
  return issues;
};

const servicesPresent: EnvironmentRule = (config) =>
  Object.keys(config.services).length > 0
    ? []
    : [
        {
          field: 'services',
          value: config.services,
          problem: 'must define at least one service',
          fix: "Add e.g. backend: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' }.",
        },
      ];

const fargateTaskSize = perService((name, service) => {
  const issue = fargateTaskSizeIssue({
    cpu: service.cpu,
    memory: service.memoryMiB,
    field: `services.${name}.memoryMiB`,
    memoryName: 'memoryMiB',
  });
  return issue ? [issue] : [];
});

const desiredCountWithoutAutoscaling = perService((name, service) =>
  service.autoscaling || service.desiredCount !== undefined
    ? []
    : [
        {
          field: `services.${name}.desiredCount`,
          value: service.desiredCount,
          problem: 'is required unless autoscaling is set',
          fix: 'Set how many tasks run, e.g. desiredCount: 1 for dev, or add autoscaling: { min, max, cpuTargetPercent }.',
        },
      ],
);

const highAvailabilityDesiredCount = perService((name, service, config) =>
  !config.highAvailability || service.desiredCount === undefined || service.desiredCount >= 2
    ? []
    : [
        {
          field: `services.${name}.desiredCount`,
          value: service.desiredCount,
          problem: 'must be ≥ 2 when highAvailability is on',
          fix: 'Raise desiredCount or turn highAvailability off.',
        },
      ],
);

const highAvailabilityNotSpotOnly = perService((name, service, config) =>
  !config.highAvailability || service.capacity !== 'spot'
    ? []
    : [
        {
          field: `services.${name}.capacity`,
          value: service.capacity,
          problem: "must not be 'spot' when highAvailability is on",
          fix: "ECS does not fall back to on-demand when Spot capacity runs out: use 'on-demand' or { onDemandBase: 2, spotWeight: 1 }, or turn highAvailability off.",
        },
      ],
);

const highAvailabilityOnDemandBase = perService((name, service, config) =>
  !config.highAvailability || !isMixedCapacity(service.capacity) || service.capacity.onDemandBase >= 1
    ? []
    : [
        {
          field: `services.${name}.capacity.onDemandBase`,
          value: service.capacity.onDemandBase,
          problem: 'must be ≥ 1 when highAvailability is on',
          fix: 'Set onDemandBase to at least 1 (ideally desiredCount) so some tasks survive a Spot shortage, or turn highAvailability off.',
        },
      ],
);

const autoscalingBounds = perService((name, service, config) => {
  const scaling = service.autoscaling;
  if (!scaling) return [];
  const issues: ConfigIssue[] = [];
  if (scaling.max < scaling.min) {
    issues.push({
      field: `services.${name}.autoscaling.max`,
      value: scaling.max,
      problem: `must be ≥ autoscaling.min (${scaling.min})`,
      fix: 'Raise max or lower min.',
    });
  }
  if (config.highAvailability && scaling.min < 2) {
    issues.push({
      field: `services.${name}.autoscaling.min`,
      value: scaling.min,
      problem: 'must be ≥ 2 when highAvailability is on',
      fix: 'Set min to 2 or more so scale-in never leaves a single task, or turn highAvailability off.',
    });
  }
  const desired = service.desiredCount;
  if (desired !== undefined && scaling.max >= scaling.min && (desired < scaling.min || desired > scaling.max)) {
    issues.push({
      field: `services.${name}.desiredCount`,
      value: desired,
      problem: `must be between autoscaling.min (${scaling.min}) and autoscaling.max (${scaling.max})`,
      fix: 'Leave desiredCount out (autoscaling.min is the floor; the template has no DesiredCount), or set it inside the autoscaling range.',
    });
  }
  return issues;
});

// A highly available environment must survive the loss of a zone and of a task; a sleeping one has no task at all.
const scheduleWithoutHighAvailability: EnvironmentRule = (config) =>
  !config.highAvailability || config.schedule === undefined
    ? []
    : [
        {
          field: 'schedule',
          value: config.schedule,
          problem: 'must be absent when highAvailability is on',
          fix: 'A schedule scales every service to zero tasks out of hours, which is the outage highAvailability exists to prevent: remove schedule, or turn highAvailability off in an environment that may sleep (dev, staging).',
        },
      ];

// A canary, linear or blue/green release runs its smoke-test hook against the new revision's tasks: a deploy out of
// hours has none (the service is at zero), so the hook would fail and roll every night's deploy back.
const scheduleOnlyWithRolling: EnvironmentRule = (config) =>
  config.schedule === undefined || config.deployment === undefined || config.deployment.strategy === 'rolling'
    ? []
    : [
        {
          field: 'deployment.strategy',
          value: config.deployment.strategy,
          problem: 'must be rolling in an environment with a schedule',
          fix: "A traffic-shifting release tests the new tasks before it shifts traffic, and out of hours there are none, so a night deploy would roll back: use { strategy: 'rolling' } (or leave deployment out) here, or remove schedule.",
        },
      ];

/**
 * A rule that an ARN setting names a resource in the environment's region: `what` is the resource ("a
 * certificate"), `fix` says why and what to do in that region.
 */
function inEnvironmentRegion(
  field: string,
  arnOf: (config: EnvironmentConfig) => string | undefined,
  what: string,
  fix: (region: string) => string,
): EnvironmentRule {
  return (config) => {
    const arn = arnOf(config);
    const issue = arn === undefined ? undefined : arnOutsideRegionIssue(field, arn, config, what, fix(config.region));
    return issue ? [issue] : [];
  };
}

// The form of `https` (zone or certificate, domain inside the zone) is checked by its schema; the region of an
// imported certificate needs the environment's region.
const certificateInRegion = inEnvironmentRegion(
  'https.certificateArn',
  (config) => config.https?.certificateArn,
  'a certificate',
  (region) =>
    `A load balancer or a regional API domain cannot use a certificate from another region: request or import the certificate in ${region}.`,
);

// An alarm's SNS action must be a topic in the alarm's region: CloudFormation refuses the alarm otherwise ("Invalid
// region ... specified"), and the topic is on every alarm, so the whole stack would roll back.
const alarmTopicInRegion = inEnvironmentRegion(
  'alarms.topicArn',
  (config) => config.alarms?.topicArn,
  'a topic',
  (region) =>
    `CloudWatch alarms notify SNS topics of their own region only: create the topic in ${region} (docs/environments.md says what its policy needs).`,
);

const httpApiNeedsServiceDiscovery: EnvironmentRule = (config) =>
  !isHttpApiIngress(config.ingress) || config.serviceDiscovery
    ? []
    : [
        {
          field: 'serviceDiscovery',
          value: config.serviceDiscovery,
          problem: "is required when ingress is 'http-api'",
          fix: "The HTTP API reaches the tasks through their Cloud Map names: add serviceDiscovery: { namespace: 'dev.local' }, or use ingress: { type: 'load-balancer' }.",
        },
      ];

const httpApiWithoutWaf: EnvironmentRule = (config) =>
  !isHttpApiIngress(config.ingress) || !config.waf
    ? []
    : [
        {
          field: 'waf',
          value: config.waf,
          problem: "must be false or absent when ingress is 'http-api'",
          fix: "AWS WAF cannot be attached to an API Gateway HTTP API: remove waf (the API's throttle limits abuse), or use ingress: { type: 'load-balancer' } to keep WAF.",
        },
      ];

const httpApiWithoutRequestScaling = perService((name, service, config) =>
  !isHttpApiIngress(config.ingress) || service.autoscaling?.requestsPerTarget === undefined
    ? []
    : [
        {
          field: `services.${name}.autoscaling.requestsPerTarget`,
          value: service.autoscaling.requestsPerTarget,
          problem: "must be absent when ingress is 'http-api'",
          fix: "Requests per target is an ALB metric and the HTTP API has no per-task request count: remove requestsPerTarget (the service still scales on CPU), or use ingress: { type: 'load-balancer' }.",
        },
      ],
);

const trafficShiftingNeedsLoadBalancer: EnvironmentRule = (config) =>
  !isHttpApiIngress(config.ingress) || !isTrafficShifting(config.deployment)
    ? []
    : [
        {
          field: 'deployment.strategy',
          value: config.deployment.strategy,
          problem: "must be 'rolling' when ingress is 'http-api'",
          fix: "Canary, linear and blue/green deployments shift traffic between two load balancer target groups, which the HTTP API has not: use deployment: { strategy: 'rolling' } (or leave it out), or ingress: { type: 'load-balancer' }.",
        },
      ];

const trafficShiftingWithoutRequestScaling = perService((name, service, config) =>
  !isTrafficShifting(config.deployment) || service.autoscaling?.requestsPerTarget === undefined
    ? []
    : [
        {
          field: `services.${name}.autoscaling.requestsPerTarget`,
          value: service.autoscaling.requestsPerTarget,
          problem: `must be absent when deployment.strategy is '${config.deployment.strategy}'`,
          fix: "ECS swaps the two target groups on every traffic-shifting deployment and request-count scaling follows only one: remove requestsPerTarget (the service still scales on CPU), or use deployment: { strategy: 'rolling' }.",
        },
      ],
);

const RULES: readonly EnvironmentRule[] = [
  alarmTopicInRegion,
  availabilityZonesInRegion,
  availabilityZonesUnique,
  maxAzsWithinZones,
  natWithinAzs,
  natInstanceImageSet,
  endpointsUnique,
  highAvailabilityZones,
  highAvailabilityNat,
  servicesPresent,
  fargateTaskSize,
  desiredCountWithoutAutoscaling,
  highAvailabilityDesiredCount,
  highAvailabilityNotSpotOnly,
  highAvailabilityOnDemandBase,
  autoscalingBounds,
  scheduleWithoutHighAvailability,
  scheduleOnlyWithRolling,
  certificateInRegion,
  httpApiNeedsServiceDiscovery,
  httpApiWithoutWaf,
  httpApiWithoutRequestScaling,
  ...DATA_RULES,
  ...APP_SETTINGS_RULES,
  trafficShiftingNeedsLoadBalancer,
  trafficShiftingWithoutRequestScaling,
];

/** Run every cross-field rule and return all problems found (empty when the environment is consistent). */
export function checkEnvironmentRules(config: EnvironmentConfig): ConfigIssue[] {
  return RULES.flatMap((check) => check(config));
}

function zoneRegion(zone: string): string {
  return zone.slice(0, -1);
}
