import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { DEPLOYMENT_DEFAULTS, DeploymentConfig, isTrafficShifting } from '../config/deployment-config';
import {
  AutoscalingConfig,
  CapacityConfig,
  EnvironmentConfig,
  HttpsConfig,
  isHostedZoneHttps,
} from '../config/environment-config';
import { TrafficShiftProps } from '../deployment/traffic-shift';
import { CustomDomainProps } from '../ingress/custom-domain';
import { ServiceAutoScalingProps } from '../service/service-props';

// Where an environment's settings become construct props: `SlipwayAppStack` uses these, the constructs never read
// the settings model themselves.

/**
 * The capacity provider strategy of a `capacity` setting. ECS places tasks by these weights only: when
 * FARGATE_SPOT has no capacity, the Spot share stays pending; nothing moves it to FARGATE.
 */
export function capacityProviderStrategies(capacity: CapacityConfig): ecs.CapacityProviderStrategy[] {
  if (capacity === 'spot') return [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
  if (capacity === 'on-demand') return [{ capacityProvider: 'FARGATE', weight: 1 }];
  return [
    { capacityProvider: 'FARGATE', base: capacity.onDemandBase, weight: 1 },
    { capacityProvider: 'FARGATE_SPOT', weight: capacity.spotWeight },
  ];
}

/** A service's `autoscaling` setting as `autoScaling` props (cooldowns in seconds become durations). */
export function serviceAutoScaling(autoscaling: AutoscalingConfig | undefined): ServiceAutoScalingProps | undefined {
  if (!autoscaling) return undefined;
  return {
    minCapacity: autoscaling.min,
    maxCapacity: autoscaling.max,
    targetCpuUtilizationPercent: autoscaling.cpuTargetPercent,
    targetMemoryUtilizationPercent: autoscaling.memoryTargetPercent,
    requestsPerTarget: autoscaling.requestsPerTarget,
    scaleInCooldown: seconds(autoscaling.scaleInCooldownSeconds),
    scaleOutCooldown: seconds(autoscaling.scaleOutCooldownSeconds),
  };
}

/**
 * The `https` setting as an ingress's custom domain: the hosted zone and the imported certificate are references
 * (no resources), made in `scope`.
 */
export function customDomain(scope: Construct, https: HttpsConfig | undefined): CustomDomainProps {
  if (!https) return {};
  if (isHostedZoneHttps(https)) {
    return {
      domainName: https.domainName,
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'HostedZone', {
        hostedZoneId: https.hostedZoneId,
        zoneName: https.hostedZoneName,
      }),
    };
  }
  return {
    domainName: https.domainName,
    certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate', https.certificateArn),
  };
}

/**
 * The NAT instance's image from an environment's settings: exactly the AMI id in `network.natInstance.amiId`, in
 * the environment's region. No lookup and no SSM parameter, so synth stays offline and a new Amazon Linux release
 * changes nothing until the setting changes.
 */
export function natInstanceImage(config: EnvironmentConfig): ec2.IMachineImage | undefined {
  const amiId = config.network.natInstance?.amiId;
  return amiId === undefined ? undefined : ec2.MachineImage.genericLinux({ [config.region]: amiId });
}

function seconds(value: number | undefined): Duration | undefined {
  return value === undefined ? undefined : Duration.seconds(value);
}

/** Port of the load balancer's test listener in an environment with a traffic-shifting `deployment`. */
export const DEPLOYMENT_TEST_LISTENER_PORT = 9000;

/**
 * The `deployment` setting as an `AlbService`'s `trafficShift` (undefined for a rolling update), with the defaults
 * of `DEPLOYMENT_DEFAULTS` filled in.
 */
export function serviceTrafficShift(
  deployment: DeploymentConfig | undefined,
  release: Pick<TrafficShiftProps, 'testListener' | 'stoppedTaskAlert' | 'lifecycleHooks' | 'lifecycleHookDetails'>,
): TrafficShiftProps | undefined {
  if (!isTrafficShifting(deployment)) return undefined;
  const bakeTime = Duration.minutes(deployment.bakeTimeMinutes ?? DEPLOYMENT_DEFAULTS.bakeTimeMinutes);
  const common = { ...release, bakeTime };
  switch (deployment.strategy) {
    case 'canary':
      return {
        ...common,
        strategy: ecs.DeploymentStrategy.CANARY,
        canaryConfiguration: {
          stepPercent: deployment.percent ?? DEPLOYMENT_DEFAULTS.canaryPercent,
          stepBakeTime: Duration.minutes(deployment.minutes ?? DEPLOYMENT_DEFAULTS.canaryMinutes),
        },
      };
    case 'linear':
      return {
        ...common,
        strategy: ecs.DeploymentStrategy.LINEAR,
        linearConfiguration: {
          stepPercent: deployment.stepPercent ?? DEPLOYMENT_DEFAULTS.linearStepPercent,
          stepBakeTime: Duration.minutes(deployment.minutes ?? DEPLOYMENT_DEFAULTS.linearMinutes),
        },
      };
    case 'blue-green':
      return { ...common, strategy: ecs.DeploymentStrategy.BLUE_GREEN };
  }
}
