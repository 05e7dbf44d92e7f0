import { CfnDeletionPolicy, Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { imageRevision, toContainerImage } from './service-image';
import { SlipwayTaskServiceProps } from './service-props';
import { validateServiceProps } from './service-validation';
import { deploymentAlarmName } from '../alarms/deployment-alarm-name';
import { sustainedAlarm } from '../alarms/sustained-alarm';
import {
  IMAGE_REVISION_LABEL,
  NIGHT_START_SKIP_TAG_KEY,
  NIGHT_START_SKIP_TAG_VALUE,
  SCHEDULE_TAG_KEY,
} from '../contract';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { scheduleTagValue, sleepCron, wakeCron } from '../schedule/awake-hours';
import { EnvironmentKey } from '../security/environment-key';

/**
 * What `AlbService`, `HttpApiService`, `InternalService` and `WorkerService` share: a hardened Fargate task
 * (read-only root filesystem, non-root, logs to an encrypted group with
 * retention, secrets from ECS), capacity provider strategy, circuit
 * breaker with rollback, Cloud Map registration (for a service with a port), CPU autoscaling and alarms.
 * A service is `IConnectable`: `service.connections.allowDefaultPortFrom(caller)` opens its container port (a
 * worker has none: it only calls out).
 */
export abstract class SlipwayServiceBase extends Construct implements ec2.IConnectable {
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
  /** The tasks' connections; the default port is the container port. */
  public readonly connections: ec2.Connections;
  /** Service name (as given). */
  public readonly serviceName: string;
  /** Port the container listens on; undefined for a worker, which listens on none. */
  public readonly containerPort?: number;
  /** Task CPU units (resolved). */
  public readonly cpu: number;
  /** Task memory in MiB (resolved). */
  public readonly memoryLimitMiB: number;
  /** Capacity provider strategy (resolved). */
  public readonly capacityProviderStrategies: ecs.CapacityProviderStrategy[];
  /**
   * Task count of a service without autoscaling or schedule (resolved). Undefined with either: the template then has
   * no DesiredCount (a deploy keeps the running count) and the scalable target's minimum is the floor.
   */
  public readonly desiredCount?: number;
  /** The scheduled actions that put the service to sleep and wake it (`schedule`). */
  public readonly scheduledActions?: { readonly wake: string; readonly sleep: string };
  /**
   * Whether `slipway verify` starts one task of the service while it sleeps by `schedule` (`schedule.startWhenAsleep`,
   * default true): what the pipeline's verification role must be allowed to start (`scheduledTaskDefinitions`).
   * False without a schedule.
   */
  public readonly startedWhenAsleep: boolean;
  /** Private DNS name (`backend.dev.local`) when the cluster has a namespace. */
  public readonly discoveryName?: string;
  /**
   * Record type registered under `discoveryName`: `A` (the task IPs, what a plain DNS lookup reads) or
   * `SRV` (port and per-task host names, what the HTTP API's Cloud Map integration needs).
   */
  public readonly discoveryRecordType?: 'A' | 'SRV';
  /** Scalable task count, when autoscaling or a schedule is configured. */
  public readonly scaling?: ecs.ScalableTaskCount;
  /** Every alarm the service created. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Writable paths (resolved). */
  public readonly writablePaths: readonly string[];

  protected readonly alarmActions: readonly cloudwatch.IAlarmAction[];
  protected readonly utilizationAlarmPercent: number;

  protected constructor(
    scope: Construct,
    id: string,
    props: SlipwayTaskServiceProps & { readonly containerPort?: number },
    options: ServiceBaseOptions,
  ) {
    super(scope, id);
    this.serviceName = props.serviceName;
    this.containerPort = props.containerPort;
    this.cpu = props.cpu ?? 256;
    this.memoryLimitMiB = props.memoryLimitMiB ?? 512;
    this.desiredCount = props.autoScaling || props.schedule ? undefined : (props.desiredCount ?? 1);
    this.startedWhenAsleep = props.schedule !== undefined && props.schedule.startWhenAsleep !== false;
    this.capacityProviderStrategies = [
      ...(props.capacityProviderStrategies ?? [{ capacityProvider: 'FARGATE', weight: 1 }]),
    ];
    this.writablePaths = props.writablePaths ?? ['/tmp'];
    this.alarmActions = props.alarmActions ?? [];
    this.utilizationAlarmPercent = props.utilizationAlarmPercent ?? 85;
    const architecture = props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
    validateServiceProps(this.node.path, props, { cpu: this.cpu, memoryLimitMiB: this.memoryLimitMiB }, options.port);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey ?? new EnvironmentKey(this, 'LogsKey').key,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: this.cpu,
      memoryLimitMiB: this.memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: architecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    // A new revision replaces the resource, and CloudFormation would deregister the one it replaces: an INACTIVE
    // revision cannot be put back on a service. Kept, the previous revisions stay ACTIVE (they cost nothing), so a
    // release can be rolled back to any of them in one `aws ecs update-service` (`slipway images --commit`). Deleting
    // the stack still deregisters the current one (DeletionPolicy Delete, stated: CloudFormation's linter reads one
    // policy without the other as a mistake).
    const taskDefinitionOptions = (this.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).cfnOptions;
    taskDefinitionOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    taskDefinitionOptions.deletionPolicy = CfnDeletionPolicy.DELETE;
    // The commit is baked into the image (GIT_SHA build argument); the task definition carries only the image's own
    // commit, as a label, which changes when the image does: an unchanged image keeps its task definition revision,
    // so a commit elsewhere does not roll this service.
    const environment = { ...props.environment };
    const revision = imageRevision(props.image, props.gitSha);
    this.container = this.taskDefinition.addContainer('App', {
      containerName: props.serviceName,
      image: toContainerImage(props.image, props.gitSha, architecture),
      readonlyRootFilesystem: true,
      user: props.user,
      command: props.command,
      environment,
      secrets: props.secrets ? { ...props.secrets } : undefined,
      healthCheck: props.containerHealthCheck,
      dockerLabels: revision ? { [IMAGE_REVISION_LABEL]: revision } : undefined,
      // A worker maps no port: nothing can connect to its tasks.
      portMappings:
        props.containerPort === undefined
          ? undefined
          : [{ containerPort: props.containerPort, name: props.serviceName }],
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
      vpc: props.cluster.vpc,
      description: `${props.serviceName} tasks`,
      allowAllOutbound: true,
    });
    this.connections = new ec2.Connections({
      securityGroups: [this.securityGroup],
      defaultPort: props.containerPort === undefined ? undefined : ec2.Port.tcp(props.containerPort),
    });

    // A worker registers nowhere: with no port, no one has a reason to look it up.
    const namespace = options.port === 'none' ? undefined : props.cluster.defaultCloudMapNamespace;
    const srv = options.discoveryRecordType === 'SRV';
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      // AWS::ECS::Service DesiredCount: left out on an update, the running count stays; set, the deploy resets
      // the count to it. With autoscaling or a schedule it is left out: the create starts 1 task and registering the
      // scalable target raises it to the minimum; a deploy at night leaves a sleeping service asleep.
      desiredCount: this.desiredCount,
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
      deploymentStrategy: options.deployment?.strategy,
      canaryConfiguration: options.deployment?.canaryConfiguration,
      linearConfiguration: options.deployment?.linearConfiguration,
      bakeTime: options.deployment?.bakeTime,
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
    this.service.node.addDependency(props.cluster);
    // Tasks pull their image and reach Secrets Manager through the private subnets' route to the internet ("the
    // task must have a route to the internet", Fargate task networking). On a first deploy that route can come
    // last (a NAT instance adds it once it has signalled it is ready): without this the service's first tasks
    // fail to pull, and three failures trip the circuit breaker, which rolls the stack create back.
    this.service.node.addDependency(
      props.cluster.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
        .internetConnectivityEstablished,
    );
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

    const autoScaling = props.autoScaling;
    if (autoScaling) {
      this.scaling = this.service.autoScaleTaskCount({
        minCapacity: autoScaling.minCapacity,
        maxCapacity: autoScaling.maxCapacity,
      });
      this.scaling.scaleOnCpuUtilization('CpuScaling', {
        targetUtilizationPercent: autoScaling.targetCpuUtilizationPercent,
        ...scalingCooldowns(autoScaling),
      });
      // With several target-tracking policies, Application Auto Scaling scales out when any asks for it and in only
      // when all allow it.
      if (autoScaling.targetMemoryUtilizationPercent !== undefined) {
        this.scaling.scaleOnMemoryUtilization('MemoryScaling', {
          targetUtilizationPercent: autoScaling.targetMemoryUtilizationPercent,
          ...scalingCooldowns(autoScaling),
        });
      }
    }
    if (props.schedule) {
      // Awake, the settings' count: autoscaling's range, or exactly desiredCount. A scheduled action sets the target's
      // minimum and maximum, and Application Auto Scaling then moves the count into them: to zero at night, back to
      // the minimum in the morning. Target tracking cannot scale out past a maximum of zero.
      const awake = autoScaling
        ? { minCapacity: autoScaling.minCapacity, maxCapacity: autoScaling.maxCapacity }
        : { minCapacity: props.desiredCount ?? 1, maxCapacity: props.desiredCount ?? 1 };
      this.scaling ??= this.service.autoScaleTaskCount(awake);
      this.scheduledActions = { wake: wakeCron(props.schedule.awake), sleep: sleepCron(props.schedule.awake) };
      this.scaling.scaleOnSchedule('Wake', {
        schedule: appscaling.Schedule.expression(this.scheduledActions.wake),
        timeZone: props.schedule.timeZone,
        ...awake,
      });
      this.scaling.scaleOnSchedule('Sleep', {
        schedule: appscaling.Schedule.expression(this.scheduledActions.sleep),
        timeZone: props.schedule.timeZone,
        minCapacity: 0,
        maxCapacity: 0,
      });
      Tags.of(this.service).add(
        SCHEDULE_TAG_KEY,
        scheduleTagValue({ timezone: props.schedule.timeZone.timezoneName, awake: props.schedule.awake }),
      );
      // Read by `slipway verify` from DescribeServices, as the awake hours are: whoever runs it, pipeline or person.
      if (!this.startedWhenAsleep) Tags.of(this.service).add(NIGHT_START_SKIP_TAG_KEY, NIGHT_START_SKIP_TAG_VALUE);
    }

    this.addAlarm('CpuHigh', {
      metric: this.service.metricCpuUtilization({ period: Duration.minutes(1) }),
      threshold: this.utilizationAlarmPercent,
      minutes: 5,
      description: `${props.serviceName}: CPU above ${this.utilizationAlarmPercent}% for 5 minutes`,
    });
    this.addAlarm('MemoryHigh', {
      metric: this.service.metricMemoryUtilization({ period: Duration.minutes(1) }),
      threshold: this.utilizationAlarmPercent,
      minutes: 5,
      description: `${props.serviceName}: memory above ${this.utilizationAlarmPercent}% for 5 minutes`,
    });
    if (props.containerInsights) {
      // Needs Container Insights: AWS/ECS has no running/desired task counts.
      const insightsMetric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName,
          dimensionsMap: { ClusterName: props.cluster.clusterName, ServiceName: this.service.serviceName },
          statistic: 'Average',
          period: Duration.minutes(1),
        });
      this.addAlarm('RunningBelowDesired', {
        metric: new cloudwatch.MathExpression({
          expression: 'desired - running',
          usingMetrics: { desired: insightsMetric('DesiredTaskCount'), running: insightsMetric('RunningTaskCount') },
          period: Duration.minutes(1),
          label: 'Tasks missing',
        }),
        threshold: 1,
        minutes: 5,
        description: `${props.serviceName}: fewer tasks running than desired for 5 minutes`,
      });
    }
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

  /** Create an alarm at ≥ threshold for `minutes` consecutive one-minute periods, with the service's alarm actions. */
  protected addAlarm(id: string, options: ServiceAlarmOptions): cloudwatch.Alarm {
    const alarm = sustainedAlarm(this, id, {
      alarmName: options.deployment ? deploymentAlarmName(this, id) : undefined,
      metric: options.metric,
      threshold: options.threshold,
      periods: options.minutes,
      window: options.windowMinutes,
      description: options.description,
      actions: this.alarmActions,
    });
    this.alarms.push(alarm);
    return alarm;
  }
}

/** An alarm of a service (`addAlarm`). */
export interface ServiceAlarmOptions {
  /** The metric (one-minute periods). */
  readonly metric: cloudwatch.IMetric;
  /** Alarm at or above this value. */
  readonly threshold: number;
  /** Consecutive one-minute periods at or above the threshold before it alarms. */
  readonly minutes: number;
  /**
   * One-minute periods it looks back over (`SustainedAlarmOptions.window`): it stays in ALARM until fewer than
   * `minutes` of them breach.
   * @default - `minutes`
   */
  readonly windowMinutes?: number;
  /** Description naming the service and the condition. */
  readonly description: string;
  /**
   * Whether ECS watches it during deployments (`rollBackOnAlarms`), which gives it a fixed name.
   * @default false
   */
  readonly deployment?: boolean;
}

/** @internal options the concrete services pass to the base. */
export interface ServiceBaseOptions {
  /**
   * Whether the service listens on `containerPort` (required then) or on no port (a worker: no port mapping, no
   * Cloud Map registration, no ingress into its security group). Default 'required'.
   */
  readonly port?: 'required' | 'none';
  readonly healthCheckGracePeriod?: Duration;
  /** Cloud Map record type; SRV carries the container port. Default A. */
  readonly discoveryRecordType?: 'A' | 'SRV';
  /** ECS deployment strategy and its settings; default: a rolling update. */
  readonly deployment?: ServiceDeploymentOptions;
}

/** @internal the deployment strategy settings the FargateService takes at construction. */
export interface ServiceDeploymentOptions {
  readonly strategy: ecs.DeploymentStrategy;
  readonly canaryConfiguration?: ecs.TrafficShiftConfig;
  readonly linearConfiguration?: ecs.TrafficShiftConfig;
  readonly bakeTime?: Duration;
}

/** The cooldowns of a target-tracking policy, with their defaults (300 s in, 60 s out). */
export function scalingCooldowns(autoScaling: {
  readonly scaleInCooldown?: Duration;
  readonly scaleOutCooldown?: Duration;
}): { scaleInCooldown: Duration; scaleOutCooldown: Duration } {
  return {
    scaleInCooldown: autoScaling.scaleInCooldown ?? Duration.seconds(300),
    scaleOutCooldown: autoScaling.scaleOutCooldown ?? Duration.seconds(60),
  };
}
