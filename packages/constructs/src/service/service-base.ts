import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { ServiceImage, toContainerImage } from './service-image';
import { AlarmTopic } from '../alarms/alarm-topic';
import { deploymentAlarmName } from '../alarms/deployment-alarm-name';
import { SlipwayCluster } from '../cluster/slipway-cluster';
import { ServiceConfig } from '../config/environment-config';
import { describeFargateMemoryFor, isValidFargateSize } from '../config/fargate-sizes';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { EnvironmentKey } from '../security/environment-key';

/** Props shared by `WebService` and `InternalService`. */
export interface SlipwayServiceProps {
  /** The environment's cluster (and its Cloud Map namespace, if any). */
  readonly cluster: SlipwayCluster;
  /** Service name: a lowercase DNS label; the Cloud Map name (`<name>.<namespace>`) and part of resource names. */
  readonly serviceName: string;
  /** This environment's compute settings for the service (`EnvironmentConfig.services[name]`). */
  readonly settings: ServiceConfig;
  /** Where the image comes from: a Dockerfile directory or an existing image. */
  readonly image: ServiceImage;
  /** Port the container listens on. */
  readonly containerPort: number;
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
   * @default - none: for web services the load balancer health check decides
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
   * Topic receiving the service's alarms.
   * @default - alarms are created without actions
   */
  readonly alarmTopic?: AlarmTopic;
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

/**
 * What `WebService` and `InternalService` share: a hardened Fargate task
 * (read-only root filesystem, non-root, logs to an encrypted group with
 * retention, secrets from ECS), capacity providers from config, circuit
 * breaker with rollback, Cloud Map registration, CPU autoscaling and alarms.
 */
export abstract class SlipwayServiceBase extends Construct {
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The container log group. */
  public readonly logGroup: logs.LogGroup;
  /** The service's security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Service name (as given). */
  public readonly serviceName: string;
  /** Port the container listens on. */
  public readonly containerPort: number;
  /** Capacity provider strategy derived from the settings (resolved). */
  public readonly capacityProviderStrategies: ecs.CapacityProviderStrategy[];
  /**
   * Task count of a service without autoscaling. With autoscaling the template has no DesiredCount (a deploy
   * keeps the running count) and the scalable target's minimum is the floor.
   */
  public readonly desiredCount?: number;
  /** Private DNS name (`backend.dev.local`) when the cluster has a namespace. */
  public readonly discoveryName?: string;
  /**
   * Record type registered under `discoveryName`: `A` (the task IPs, what a plain DNS lookup reads) or
   * `SRV` (port and per-task host names, what the HTTP API's Cloud Map integration needs).
   */
  public readonly discoveryRecordType?: 'A' | 'SRV';
  /** Scalable task count, when autoscaling is configured. */
  public readonly scaling?: ecs.ScalableTaskCount;
  /** Every alarm the service created. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Writable paths (resolved). */
  public readonly writablePaths: readonly string[];

  protected readonly alarmTopic?: AlarmTopic;
  protected readonly utilizationAlarmPercent: number;

  protected constructor(scope: Construct, id: string, props: SlipwayServiceProps, options: ServiceBaseOptions) {
    super(scope, id);
    this.serviceName = props.serviceName;
    this.containerPort = props.containerPort;
    this.desiredCount = props.settings.desiredCount;
    this.writablePaths = props.writablePaths ?? ['/tmp'];
    this.alarmTopic = props.alarmTopic;
    this.utilizationAlarmPercent = props.utilizationAlarmPercent ?? 85;
    const architecture = props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
    this.validate(props);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey ?? new EnvironmentKey(this, 'LogsKey').key,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.settings.cpu,
      memoryLimitMiB: props.settings.memoryMiB,
      runtimePlatform: { cpuArchitecture: architecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    // The commit is baked into the image (GIT_SHA build argument), never into the task definition: an
    // unchanged image keeps its task definition revision, so a commit elsewhere does not roll this service.
    const environment = { ...props.environment };
    this.container = this.taskDefinition.addContainer('App', {
      containerName: props.serviceName,
      image: toContainerImage(props.image, props.gitSha, architecture),
      readonlyRootFilesystem: true,
      user: props.user,
      command: props.command,
      environment,
      secrets: props.secrets ? { ...props.secrets } : undefined,
      healthCheck: props.containerHealthCheck,
      portMappings: [{ containerPort: props.containerPort, name: props.serviceName }],
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: props.serviceName,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
      // Tasks get SIGTERM, then SIGKILL after this; it matches the load balancer's drain time.
      stopTimeout: Duration.seconds(30),
    });
    this.writablePaths.forEach((path, index) => {
      const volumeName = `writable-${index}`;
      this.taskDefinition.addVolume({ name: volumeName });
      this.container.addMountPoints({ containerPath: path, sourceVolume: volumeName, readOnly: false });
    });
    if (Object.keys(environment).length > 0) {
      acknowledgeFindings(this.taskDefinition, {
        id: 'AwsSolutions-ECS2',
        reason: `Only non-secret settings are plain environment variables (${Object.keys(environment).sort().join(', ')}); secrets are injected from Secrets Manager/SSM as ECS secrets.`,
      });
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.cluster.vpc,
      description: `${props.serviceName} tasks`,
      allowAllOutbound: true,
    });

    this.capacityProviderStrategies = capacityStrategy(props.settings);
    const namespace = props.cluster.namespace;
    const srv = options.discoveryRecordType === 'SRV';
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster.cluster,
      taskDefinition: this.taskDefinition,
      // AWS::ECS::Service DesiredCount: left out on an update, the running count stays; set, the deploy resets
      // the count to it. With autoscaling it is left out: the create starts 1 task and registering the scalable
      // target raises it to the minimum.
      desiredCount: props.settings.autoscaling ? undefined : this.desiredCount,
      capacityProviderStrategies: this.capacityProviderStrategies,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      healthCheckGracePeriod: options.healthCheckGracePeriod,
      cloudMapOptions: namespace
        ? {
            cloudMapNamespace: namespace,
            name: props.serviceName,
            dnsTtl: Duration.seconds(10),
            ...(srv
              ? {
                  dnsRecordType: servicediscovery.DnsRecordType.SRV,
                  container: this.container,
                  containerPort: props.containerPort,
                }
              : {}),
          }
        : undefined,
    });
    // A service placed by capacity providers must be created after the cluster's capacity provider association
    // and deleted before it (AWS::ECS::ClusterCapacityProviderAssociations). CDK creates the association inside
    // the cluster construct while synthesizing; a dependency on the whole construct resolves to it then.
    this.service.node.addDependency(props.cluster.cluster);
    if (namespace) {
      this.discoveryName = `${props.serviceName}.${namespace.namespaceName}`;
      this.discoveryRecordType = srv ? 'SRV' : 'A';
    }

    const executionRole = this.taskDefinition.obtainExecutionRole();
    acknowledgeInlinePolicy(executionRole, `${props.serviceName} task execution role`);
    acknowledgeFindings(executionRole, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions; image pulls themselves are limited to the image repository.',
    });

    const autoscaling = props.settings.autoscaling;
    if (autoscaling) {
      this.scaling = this.service.autoScaleTaskCount({ minCapacity: autoscaling.min, maxCapacity: autoscaling.max });
      this.scaling.scaleOnCpuUtilization('CpuScaling', {
        targetUtilizationPercent: autoscaling.cpuTargetPercent,
        scaleInCooldown: Duration.seconds(autoscaling.scaleInCooldownSeconds ?? 300),
        scaleOutCooldown: Duration.seconds(autoscaling.scaleOutCooldownSeconds ?? 60),
      });
    }

    this.addAlarm(
      'CpuHigh',
      this.service.metricCpuUtilization({ period: Duration.minutes(1) }),
      this.utilizationAlarmPercent,
      5,
      `${props.serviceName}: CPU above ${this.utilizationAlarmPercent}% for 5 minutes`,
    );
    this.addAlarm(
      'MemoryHigh',
      this.service.metricMemoryUtilization({ period: Duration.minutes(1) }),
      this.utilizationAlarmPercent,
      5,
      `${props.serviceName}: memory above ${this.utilizationAlarmPercent}% for 5 minutes`,
    );
    if (props.cluster.containerInsights) {
      // Needs Container Insights: AWS/ECS has no running/desired task counts.
      const insightsMetric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName,
          dimensionsMap: { ClusterName: props.cluster.cluster.clusterName, ServiceName: this.service.serviceName },
          statistic: 'Average',
          period: Duration.minutes(1),
        });
      this.addAlarm(
        'RunningBelowDesired',
        new cloudwatch.MathExpression({
          expression: 'desired - running',
          usingMetrics: { desired: insightsMetric('DesiredTaskCount'), running: insightsMetric('RunningTaskCount') },
          period: Duration.minutes(1),
          label: 'Tasks missing',
        }),
        1,
        5,
        `${props.serviceName}: fewer tasks running than desired for 5 minutes`,
      );
    }
  }

  /** Let `peer` reach this service's container port (e.g. another service calling it through Cloud Map). */
  public allowFrom(peer: ec2.IConnectable, description?: string): void {
    this.securityGroup.connections.allowFrom(
      peer,
      ec2.Port.tcp(this.containerPort),
      description ?? `to ${this.serviceName}`,
    );
  }

  /**
   * Let ECS watch these alarms during deployments and roll back when one fires.
   *
   * ECS gets each alarm's fixed name (`deploymentAlarmName`), not `alarm.alarmName`: that is a `Ref` to the
   * alarm resource, which makes the service depend on the alarm, and aws-cdk-lib then notes on every synth
   * that the deployment alarm "may cause a circular dependency". An alarm without a fixed name is still
   * referenced by `Ref`.
   */
  protected rollBackOnAlarms(alarms: readonly cloudwatch.Alarm[]): void {
    const names = alarms.map((alarm) => (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName ?? alarm.alarmName);
    this.service.enableDeploymentAlarms(names, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
  }

  /**
   * Create an alarm at ≥ threshold for `periods` consecutive minutes, notifying the alarm topic.
   * @param options.deployment the service watches it during deployments (`rollBackOnAlarms`), so it gets a fixed name
   */
  protected addAlarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    periods: number,
    description: string,
    options: { deployment?: boolean } = {},
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: options.deployment ? deploymentAlarmName(this, id) : undefined,
      metric,
      threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    this.alarmTopic?.notify(alarm);
    this.alarms.push(alarm);
    return alarm;
  }

  private validate(props: SlipwayServiceProps): void {
    const path = this.node.path;
    if (!/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/.test(props.serviceName)) {
      throw SlipwayConfigError.of(
        path,
        'serviceName',
        props.serviceName,
        'must be a lowercase DNS label (letters, digits, hyphens)',
        'Use e.g. backend or worker.',
      );
    }
    if (
      !Token.isUnresolved(props.containerPort) &&
      (!Number.isInteger(props.containerPort) || props.containerPort < 1 || props.containerPort > 65535)
    ) {
      throw SlipwayConfigError.of(
        path,
        'containerPort',
        props.containerPort,
        'must be a TCP port (1–65535)',
        'Use the port the container listens on, e.g. 8000.',
      );
    }
    if (!isValidFargateSize(props.settings.cpu, props.settings.memoryMiB)) {
      throw SlipwayConfigError.of(
        path,
        'settings.memoryMiB',
        { cpu: props.settings.cpu, memoryMiB: props.settings.memoryMiB },
        'must be a Fargate task size together with cpu',
        `Fargate accepts only fixed pairs: ${describeFargateMemoryFor(props.settings.cpu)}.`,
      );
    }
    if (props.user !== undefined && /^(root|0)(:|$)/.test(props.user)) {
      throw SlipwayConfigError.of(
        path,
        'user',
        props.user,
        'must not be root',
        "Run as the image's unprivileged user, e.g. '1000' (node) or '101' (nginx-unprivileged).",
      );
    }
    for (const writablePath of props.writablePaths ?? []) {
      if (!writablePath.startsWith('/') || writablePath === '/') {
        throw SlipwayConfigError.of(
          path,
          'writablePaths',
          writablePath,
          'must be an absolute path other than /',
          "Use e.g. '/tmp'.",
        );
      }
    }
  }
}

/** @internal options the concrete services pass to the base. */
export interface ServiceBaseOptions {
  readonly healthCheckGracePeriod?: Duration;
  /** Cloud Map record type; SRV carries the container port. Default A. */
  readonly discoveryRecordType?: 'A' | 'SRV';
}

/**
 * Capacity provider strategy for a capacity setting. Note that ECS places
 * tasks by these weights only: when FARGATE_SPOT has no capacity, the Spot
 * share stays pending; nothing moves it to FARGATE.
 */
export function capacityStrategy(settings: ServiceConfig): ecs.CapacityProviderStrategy[] {
  const capacity = settings.capacity;
  if (capacity === 'spot') return [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
  if (capacity === 'on-demand') return [{ capacityProvider: 'FARGATE', weight: 1 }];
  return [
    { capacityProvider: 'FARGATE', base: capacity.onDemandBase, weight: 1 },
    { capacityProvider: 'FARGATE_SPOT', weight: capacity.spotWeight },
  ];
}
