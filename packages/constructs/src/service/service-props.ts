import { Duration, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ServiceImage } from './service-image';
import { AwakeHours } from '../schedule/awake-hours';

/** Target-tracking autoscaling of a service's task count. */
export interface ServiceAutoScalingProps {
  /** Fewest tasks; also the floor a first create is raised to. Integer ≥ 1. */
  readonly minCapacity: number;
  /** Most tasks. Integer ≥ minCapacity. */
  readonly maxCapacity: number;
  /** Average CPU utilisation to hold, in percent (10–90). */
  readonly targetCpuUtilizationPercent: number;
  /**
   * Average memory utilisation to hold, in percent (10–90): a second target-tracking policy
   * (`ECSServiceAverageMemoryUtilization`).
   * @default - no memory scaling
   */
  readonly targetMemoryUtilizationPercent?: number;
  /**
   * ALB requests per target per minute to hold; only for a service behind a load balancer (`AlbService`).
   * @default - no request-count scaling
   */
  readonly requestsPerTarget?: number;
  /**
   * Time after a scale-in before the next one.
   * @default Duration.seconds(300)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * Time after a scale-out before the next one.
   * @default Duration.seconds(60)
   */
  readonly scaleOutCooldown?: Duration;
}

/**
 * An out-of-hours schedule: two Application Auto Scaling scheduled actions on the service's scalable target, one that
 * sets its minimum and maximum to zero when the awake hours end, one that restores them when they begin.
 */
export interface ServiceScheduleProps {
  /** The time zone of the hours (Application Auto Scaling follows its daylight saving time). */
  readonly timeZone: TimeZone;
  /** The days and hours the service runs. */
  readonly awake: AwakeHours;
  /**
   * Whether `slipway verify`, run while the service sleeps (a pipeline run out of hours), starts one task of its new
   * task definition to prove the image starts, and stops it again. `false` for a service that must not run out of
   * hours (a worker that would take jobs at night): the service is tagged `slipway:night-start=skip`, verify checks the
   * images its task definition names only, and the pipeline's verification role may not start it.
   * @default true
   */
  readonly startWhenAsleep?: boolean;
}

/**
 * Props shared by every service: `AlbService`, `HttpApiService` and `InternalService` (which listen on
 * `containerPort`) and `WorkerService` (which listens on no port).
 */
export interface SlipwayTaskServiceProps {
  /**
   * The cluster the service runs in. With a default Cloud Map namespace (`SlipwayCluster` adds one when given
   * `serviceDiscoveryNamespace`), the service registers in it. Services depend on the cluster construct, so they are
   * created after its capacity provider association.
   */
  readonly cluster: ecs.ICluster;
  /**
   * Whether the cluster has Container Insights: the running-below-desired alarm needs its task counts.
   * @default false - no running-below-desired alarm
   */
  readonly containerInsights?: boolean;
  /** Service name: a lowercase DNS label; the Cloud Map name (`<name>.<namespace>`) and part of resource names. */
  readonly serviceName: string;
  /** Where the image comes from: a Dockerfile directory or an existing image. */
  readonly image: ServiceImage;
  /**
   * Task CPU units (256 = 0.25 vCPU); with memoryLimitMiB a size Fargate accepts.
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB; with cpu a size Fargate accepts.
   * @default 512
   */
  readonly memoryLimitMiB?: number;
  /**
   * Tasks to run. Ignored with `autoScaling`: the template then has no DesiredCount (a deploy keeps the running
   * count) and `autoScaling.minCapacity` is the floor. With `schedule` it is the scalable target's minimum and
   * maximum in the awake hours, and the template has no DesiredCount either.
   * @default 1
   */
  readonly desiredCount?: number;
  /**
   * Where the tasks run: FARGATE and FARGATE_SPOT by base and weight. ECS never moves a task to FARGATE when Spot
   * has no capacity; the Spot share waits.
   * @default - every task on FARGATE
   */
  readonly capacityProviderStrategies?: readonly ecs.CapacityProviderStrategy[];
  /**
   * Target-tracking autoscaling on CPU (and, behind a load balancer, on requests per target).
   * @default - a fixed desiredCount
   */
  readonly autoScaling?: ServiceAutoScalingProps;
  /**
   * Run the service only in these hours and scale it to zero tasks outside them. The service gets a scalable target
   * even without `autoScaling` (minimum = maximum = `desiredCount`) and, as with `autoScaling`, the template has no
   * DesiredCount: a deploy out of hours leaves the service asleep instead of starting `desiredCount` tasks until the
   * next morning. The service is tagged `slipway:awake-hours` for `slipway verify`, `status` and `cost`.
   * @default - the service runs all the time
   */
  readonly schedule?: ServiceScheduleProps;
  /**
   * Git commit the image is built from: passed as the `GIT_SHA` build argument of a Dockerfile directory image
   * (whose Dockerfile bakes it in as an environment variable and label). The task definition does not carry it.
   * @default - not recorded
   */
  readonly gitSha?: string;
  /**
   * Plain environment variables. Never secrets: use `secrets`.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets from Secrets Manager or SSM Parameter Store, injected by ECS at start (`ecs.Secret.fromSecretsManager(...)`).
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, ecs.Secret>>;
  /**
   * ECS container health check. It runs inside the container, so the command must exist in the image
   * (node images have no curl or wget: use `node -e "fetch(...)"`).
   * @default - none: behind a load balancer its health check decides
   */
  readonly containerHealthCheck?: ecs.HealthCheck;
  /**
   * Command overriding the image's CMD.
   * @default - the image's CMD
   */
  readonly command?: string[];
  /**
   * Writable paths on the otherwise read-only root filesystem, each backed by task ephemeral storage.
   * (Fargate has no tmpfs mounts.)
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
  /**
   * User (`uid[:gid]`) the container runs as; must not be root.
   * @default - the image's USER, which must be non-root (Slipway's images set one)
   */
  readonly user?: string;
  /**
   * Retention of the service's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key encrypting the log group.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Actions for the service's alarms, on ALARM and on OK (`AlarmTopic.alarmActions`, or any `SnsAction`).
   * @default - alarms are created without actions
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /**
   * CPU architecture of the task (and of the image built from `directory`).
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE - kept on delete, removed when the stack's create fails
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * CPU and memory utilisation (percent) above which the service alarms, over 5 minutes.
   * @default 85
   */
  readonly utilizationAlarmPercent?: number;
}

/** Props shared by the services that listen on a port: `AlbService`, `HttpApiService` and `InternalService`. */
export interface SlipwayServiceProps extends SlipwayTaskServiceProps {
  /** Port the container listens on. */
  readonly containerPort: number;
}
