import {
  AspectPriority,
  Aspects,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  Tags,
  TimeZone,
} from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { cacheProps, dataConnection, databaseProps } from './data-tier';
import {
  capacityProviderStrategies,
  customDomain,
  DEPLOYMENT_TEST_LISTENER_PORT,
  natInstanceImage,
  serviceAutoScaling,
  serviceTrafficShift,
} from './environment-props';
import { FunctionLogGroups } from './function-log-groups';
import { ServiceSettingsProps, serviceSettingsProps } from './service-settings';
import { StackTerminationProtection } from './stack-termination-protection';
import { AlarmTopic } from '../alarms/alarm-topic';
import { StoppedTaskAlert } from '../alarms/stopped-task-alert';
import { SlipwayCluster } from '../cluster/slipway-cluster';
import { isTrafficShifting } from '../config/deployment-config';
import { EnvironmentConfig, isHttpApiIngress } from '../config/environment-config';
import { parseEnvironmentConfig } from '../config/environment-schema';
import { ConfigIssue, SlipwayConfigError } from '../config/slipway-config-error';
import { ENVIRONMENT_TAG_KEY, SETTINGS_METADATA, createdSecretOutputKey } from '../contract';
import { EnvironmentDashboard } from '../dashboard/environment-dashboard';
import { SlipwayCache } from '../data/cache';
import { SlipwayDatabase } from '../data/database';
import { DatabaseMigration } from '../data/database-migration';
import { SmokeTestHook, smokeTestChecksByService, smokeTestHookDetails } from '../deployment/smoke-test-hook';
import { AlbIngress } from '../ingress/alb-ingress';
import { HttpApiIngress } from '../ingress/http-api-ingress';
import { SlipwayNetwork } from '../network/slipway-network';
import { EnvironmentKey } from '../security/environment-key';
import { AlbService } from '../service/alb-service';
import { HttpApiService } from '../service/http-api-service';
import { InternalService } from '../service/internal-service';
import { SlipwayServiceBase } from '../service/service-base';
import { ServiceImage } from '../service/service-image';
import { SlipwayTaskServiceProps } from '../service/service-props';
import { WorkerService } from '../service/worker-service';

/** What every kind of service says about itself in the application code. */
export interface AppServiceSpecBase {
  /**
   * Dockerfile directory (`{ directory }`) or an existing image (`{ image }`). Two services given the same value
   * (a worker running the backend's image with another `command`) share one image asset: built and published once.
   */
  readonly image: ServiceImage;
  /**
   * Plain environment variables (never secrets) that are the same in every environment; what differs per environment
   * is the environment's `services.<name>.environment`. A name may be set in one place only.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets injected by ECS from Secrets Manager or SSM, the same in every environment; per environment, use
   * `services.<name>.secrets` in its settings. A name may be set in one place only.
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, ecs.Secret>>;
  /**
   * Command overriding the image's CMD.
   * @default - the image's CMD
   */
  readonly command?: string[];
  /**
   * Writable paths on the read-only root filesystem.
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
  /**
   * Non-root user to run as.
   * @default - the image's USER
   */
  readonly user?: string;
  /**
   * Command that migrates the database, run once per release with this service's new task definition before the
   * service is updated (e.g. `['node', 'dist/migrate.js', 'up']`); see `DatabaseMigration`. Ignored in an
   * environment where the service does not use a database.
   * @default - no migration
   */
  readonly migrationCommand?: readonly string[];
  /**
   * CPU architecture.
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * In an environment with a `schedule`: whether `slipway verify`, when the pipeline deploys while the service sleeps,
   * starts one task of its new task definition to prove the image starts, and stops it again. `false` for a service
   * that must not run out of hours (a worker whose jobs must wait for the morning): verify then checks the images its
   * task definition names only, and the verification role gets no permission to start it. Ignored without a schedule.
   * @default true
   */
  readonly startWhenAsleep?: boolean;
}

/**
 * A service that listens on `containerPort`: behind the environment's ingress (the load balancer or the HTTP API),
 * or `internal` (reachable through Cloud Map only).
 */
export interface AppWebServiceSpec extends AppServiceSpecBase {
  /**
   * What the service is. `'web'` listens on `containerPort`; `'worker'` (`AppWorkerServiceSpec`) on no port.
   * @default 'web'
   */
  readonly kind?: 'web';
  /** Port the container listens on. */
  readonly containerPort: number;
  /**
   * No load balancer or API route: reachable only through Cloud Map by the services in `reachableFrom`.
   * @default false
   */
  readonly internal?: boolean;
  /**
   * Load balancer health check path, e.g. `/api/health`; required unless internal or the ingress is the HTTP API
   * (which has no target group: give the service a `containerHealthCheck` there).
   * @default - none
   */
  readonly healthCheckPath?: string;
  /**
   * Paths routed to the service (≤ 5), e.g. `['/api/*']`. With the HTTP API ingress a wildcard may only be a
   * whole last segment (`/api/*` becomes `ANY /api/{proxy+}` and `ANY /api`).
   * @default ['/*'] - the catch-all route
   */
  readonly pathPatterns?: readonly string[];
  /**
   * Listener rule priority (1–49999, lower wins); required with pathPatterns on the load balancer. The HTTP API
   * ignores it: its most specific route wins.
   * @default 50000 for the catch-all route
   */
  readonly priority?: number;
  /**
   * Names of other services that may call this one on its container port (through Cloud Map).
   * @default - none
   */
  readonly reachableFrom?: readonly string[];
  /**
   * ECS container health check (the command must exist in the image).
   * @default - none; the load balancer health check decides
   */
  readonly containerHealthCheck?: ecs.HealthCheck;
}

/**
 * A background process that listens on no port (a queue consumer, a Temporal worker): no port mapping, no Cloud Map
 * name, no load balancer or API route, no ingress rule; it gets the data tier it `uses`, its settings and secrets,
 * logs, alarms, dashboard rows and autoscaling like any service (`WorkerService`). It always deploys with a rolling
 * update and the circuit breaker, whatever the environment's `deployment` strategy: canary, linear and blue/green
 * shift load balancer traffic, which a worker has none of.
 */
export interface AppWorkerServiceSpec extends AppServiceSpecBase {
  /** A worker. */
  readonly kind: 'worker';
  /**
   * ECS container health check: required, as nothing else watches a worker's health (see
   * `WorkerServiceProps.containerHealthCheck`).
   */
  readonly containerHealthCheck: ecs.HealthCheck;
  /** A worker listens on no port. */
  readonly containerPort?: never;
  /** A worker is never reachable, internally or not. */
  readonly internal?: never;
  /** A worker has no load balancer health check: its `containerHealthCheck` is its health. */
  readonly healthCheckPath?: never;
  /** A worker has no route. */
  readonly pathPatterns?: never;
  /** A worker has no listener rule. */
  readonly priority?: never;
  /** Nothing can call a worker; a worker may call others (name it in their `reachableFrom`). */
  readonly reachableFrom?: never;
}

/** What the application code says about one service; the environment says how big and how many. */
export type AppServiceSpec = AppWebServiceSpec | AppWorkerServiceSpec;

/** Whether the spec is a worker's (`kind: 'worker'`). */
export function isWorkerSpec(spec: AppServiceSpec): spec is AppWorkerServiceSpec {
  return spec.kind === 'worker';
}

/** Props of `SlipwayAppStack`. */
export interface SlipwayAppStackProps extends Omit<StackProps, 'env'> {
  /** The environment's settings (from `environments/<name>.ts`); validated again here. */
  readonly config: EnvironmentConfig;
  /** The services, by the same names as `config.services`. */
  readonly services: Readonly<Record<string, AppServiceSpec>>;
  /**
   * Git commit passed as the `GIT_SHA` build argument of every Dockerfile directory image (not put in task
   * definitions). Prefer a per-image commit in each `DirectoryImage`'s `buildArgs`, so a commit that leaves an image
   * unchanged rebuilds and rolls nothing.
   * @default - not recorded
   */
  readonly gitSha?: string;
  /**
   * File the config came from, named in errors.
   * @default `environments/<config.name>.ts`
   */
  readonly configFile?: string;
  /**
   * What the pre-traffic smoke test of a traffic-shifting `deployment` checks through the test listener.
   * @default - /api/health, /api/version (any commit) and /
   */
  readonly smokeTest?: AppSmokeTestSpec;
}

/** The app's own answer to "is this revision the one we built, and does it work?" (see `SmokeTestHook`). */
export interface AppSmokeTestSpec {
  /**
   * The commit the version path must report: the `GIT_SHA` build argument of the image that serves it.
   * @default - any non-empty gitSha passes
   */
  readonly expectedCommit?: string;
  /**
   * Path that must answer 200.
   * @default '/api/health'
   */
  readonly healthPath?: string;
  /**
   * Path that must answer JSON with the build's `gitSha`.
   * @default '/api/version'
   */
  readonly versionPath?: string;
  /**
   * Path that must serve an HTML page.
   * @default '/'
   */
  readonly pagePath?: string;
}

/**
 * One environment of the app, in one stack, and the one place where an environment's settings become construct
 * props (helpers in `environment-props.ts`): KMS key, alarm topic, network,
 * cluster, ingress (a load balancer, or an HTTP API with a VPC link when
 * `config.ingress.type` is `'http-api'`), every service, the data tier, the
 * alert on tasks that stop unexpectedly and the dashboard, all from the
 * environment's settings. Account, region and availability zones
 * come from the config, so synth needs no credentials and no lookups.
 *
 * Outputs: `Url`, `LoadBalancerDnsName` (load balancer only), `ClusterName`,
 * `<Service>ServiceName`, `DashboardName`, `AlarmTopicArn`, and for each secret the stack creates for a service's
 * setting (`{ create: true }`) its ARN (`createdSecretOutputKey`, e.g. `SecretBackendTemporalApiKeyArn`).
 */
export class SlipwayAppStack extends Stack {
  /** The validated settings. */
  public readonly config: EnvironmentConfig;
  /** The network. */
  public readonly network: SlipwayNetwork;
  /** The cluster. */
  public readonly cluster: SlipwayCluster;
  /** Which ingress the environment uses (resolved from `config.ingress`). */
  public readonly ingressType: 'load-balancer' | 'http-api';
  /** The load balancer (present when any service is neither internal nor a worker and the ingress is the load balancer). */
  public readonly ingress?: AlbIngress;
  /** The HTTP API (present when any service is neither internal nor a worker and the ingress is the HTTP API). */
  public readonly httpApi?: HttpApiIngress;
  /** Services by name. */
  public readonly services: Readonly<Record<string, SlipwayServiceBase>>;
  /**
   * The task definitions of the services `slipway verify` starts one task of while the environment's `schedule` has
   * them asleep (every scheduled service but those whose spec says `startWhenAsleep: false`): what
   * `DeploymentVerificationRole`'s `scheduledTaskDefinitions` takes. Empty without a schedule.
   */
  public readonly nightStartTaskDefinitions: readonly ecs.TaskDefinition[];
  /** The alarm topic. */
  public readonly alarmTopic: AlarmTopic;
  /** The PostgreSQL database (present when `config.database` is set). */
  public readonly database?: SlipwayDatabase;
  /** The Valkey cache (present when `config.cache` is set). */
  public readonly cache?: SlipwayCache;
  /** The alert on service tasks that stop unexpectedly, to the alarm topic. */
  public readonly stoppedTaskAlert: StoppedTaskAlert;
  /** The dashboard. */
  public readonly dashboard: EnvironmentDashboard;
  /** The secrets the stack created for the services' settings (`{ create: true }`), by service and variable. */
  public readonly createdSecrets: Readonly<Record<string, Readonly<Record<string, secretsmanager.ISecret>>>>;
  /** Output holding the public URL (for pipeline steps: `envFromCfnOutputs`). */
  public readonly urlOutput?: CfnOutput;
  /** Output holding the cluster name. */
  public readonly clusterNameOutput: CfnOutput;
  /** Outputs holding each ECS service name, by service. */
  public readonly serviceNameOutputs: Readonly<Record<string, CfnOutput>>;
  /** The pre-traffic smoke test hook (present with a traffic-shifting `deployment`). */
  public readonly smokeTestHook?: SmokeTestHook;
  /** The resource turning on the stack's termination protection (present with `deletionProtection`). */
  public readonly terminationProtectionResource?: StackTerminationProtection;

  constructor(scope: Construct, id: string, props: SlipwayAppStackProps) {
    const configFile = props.configFile ?? `environments/${props.config.name}.ts`;
    const config = parseEnvironmentConfig(props.config, configFile);
    super(scope, id, {
      terminationProtection: config.deletionProtection,
      description: `Slipway app, environment ${config.name}`,
      ...props,
      env: { account: config.account, region: config.region },
    });
    this.config = config;
    checkServicesMatch(config, props.services, configFile);
    checkServiceKinds(props.services, config, this.node.path, configFile);
    Tags.of(this).add(ENVIRONMENT_TAG_KEY, config.name);
    // For `slipway doctor`, which checks an environment's accounts against the settings it was synthesized from.
    this.node.addMetadata(SETTINGS_METADATA.environment, config);

    // Kept when the stack is deleted or updated away, but removed when its create fails, so a failed first
    // deploy leaves nothing behind (CloudFormation DeletionPolicy RetainExceptOnCreate).
    const removalPolicy = config.deletionProtection ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const key = new EnvironmentKey(this, 'Key', { removalPolicy }).key;
    Aspects.of(this).add(new FunctionLogGroups({ retention: logRetention, encryptionKey: key, removalPolicy }), {
      priority: AspectPriority.MUTATING,
    });
    const additionalAlarmTopicArn = config.alarms?.topicArn;
    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      email: config.alarms?.email,
      additionalTopic: additionalAlarmTopicArn
        ? sns.Topic.fromTopicArn(this, 'AdditionalAlarmTopic', additionalAlarmTopicArn)
        : undefined,
      encryptionKey: key,
    });

    this.network = new SlipwayNetwork(this, 'Network', {
      availabilityZones: config.availabilityZones.slice(0, config.network.maxAzs),
      natGateways: config.network.natGateways,
      natProvider: config.network.natProvider,
      natInstanceImage: natInstanceImage(config),
      vpcEndpoints: config.network.vpcEndpoints,
      cidr: config.network.cidr,
      flowLogRetention: logRetention,
      encryptionKey: key,
      removalPolicy,
    });
    this.cluster = new SlipwayCluster(this, 'Cluster', {
      vpc: this.network.vpc,
      containerInsights: config.containerInsights,
      serviceDiscoveryNamespace: config.serviceDiscovery?.namespace,
    });
    this.ingressType = isHttpApiIngress(config.ingress) ? 'http-api' : 'load-balancer';
    const hasWebService = Object.values(props.services).some(isRouted);
    if (hasWebService && isHttpApiIngress(config.ingress)) {
      this.httpApi = new HttpApiIngress(this, 'Ingress', {
        vpc: this.network.vpc,
        throttle: config.ingress.throttle,
        ...customDomain(this, config.https),
        accessLogRetention: logRetention,
        encryptionKey: key,
        removalPolicy,
        alarmActions: this.alarmTopic.alarmActions,
        // Named after the stack (`<app>-<environment>`), unique in the account and region as stack names are.
        apiName: this.stackName,
      });
    } else if (hasWebService) {
      this.ingress = new AlbIngress(this, 'Ingress', {
        vpc: this.network.vpc,
        ...customDomain(this, config.https),
        // Not on the load balancer: it would make a failed first create end in ROLLBACK_FAILED. The stack's
        // termination protection (below) guards it.
        deletionProtection: false,
        accessLogRetention: Duration.days(config.logRetentionDays),
        webApplicationFirewall: config.waf ?? false,
        encryptionKey: key,
        removalPolicy,
        testListenerPort: isTrafficShifting(config.deployment) ? DEPLOYMENT_TEST_LISTENER_PORT : undefined,
      });
    }
    if (this.ingress?.testListener && this.ingress.testListenerPort !== undefined) {
      this.smokeTestHook = new SmokeTestHook(this, 'SmokeTest', {
        vpc: this.network.vpc,
        loadBalancer: this.ingress.loadBalancer,
        testListener: this.ingress.testListener,
        testListenerPort: this.ingress.testListenerPort,
        ...props.smokeTest,
        logRetention,
        encryptionKey: key,
        removalPolicy,
      });
    }
    // One traffic-shifting service at a time (CloudFormation waits for each deployment, bake time included): the
    // smoke test of each then sees every other service at its final revision.
    let previousShift: SlipwayServiceBase | undefined;

    if (config.database) {
      this.database = new SlipwayDatabase(
        this,
        'Database',
        databaseProps(config.database, {
          vpc: this.network.vpc,
          encryptionKey: key,
          logRetention,
          deletionProtection: config.deletionProtection,
          alarmActions: this.alarmTopic.alarmActions,
        }),
      );
    }
    if (config.cache) {
      this.cache = new SlipwayCache(
        this,
        'Cache',
        cacheProps(config.cache, {
          vpc: this.network.vpc,
          encryptionKey: key,
          alarmActions: this.alarmTopic.alarmActions,
        }),
      );
    }

    // Each service's smoke test runs the checks whose paths the load balancer routes to it, and only those.
    const smokeTestChecks = this.smokeTestHook
      ? smokeTestChecksByService(
          Object.entries(props.services)
            .filter(([, spec]) => isRouted(spec))
            .map(([name, spec]) => ({ name, pathPatterns: spec.pathPatterns, priority: spec.priority })),
          this.smokeTestHook.paths,
        )
      : {};
    // Without Container Insights (dev) nothing else tells anyone that a task keeps crashing. Before the services: a
    // traffic-shifting one has its new revision's failed tasks counted by it, for a deployment alarm.
    this.stoppedTaskAlert = new StoppedTaskAlert(this, 'StoppedTasks', {
      cluster: this.cluster.cluster,
      topic: this.alarmTopic.topic,
      alarmActions: this.alarmTopic.alarmActions,
    });
    const services: Record<string, SlipwayServiceBase> = {};
    const createdSecrets: Record<string, Record<string, secretsmanager.ISecret>> = {};
    for (const [name, spec] of Object.entries(props.services)) {
      const settings = config.services[name];
      const data = dataConnection(settings.uses ?? [], this);
      const own = serviceSettingsProps(new Construct(this, `${pascalCase(name)}Settings`), name, settings, {
        encryptionKey: key,
        removalPolicy,
      });
      checkSettingsBesideSpec(name, own, spec, configFile);
      createdSecrets[name] = own.createdSecrets;
      const common: SlipwayTaskServiceProps = {
        cluster: this.cluster.cluster,
        containerInsights: this.cluster.containerInsights,
        serviceName: name,
        cpu: settings.cpu,
        memoryLimitMiB: settings.memoryMiB,
        desiredCount: settings.desiredCount,
        capacityProviderStrategies: capacityProviderStrategies(settings.capacity),
        autoScaling: serviceAutoScaling(settings.autoscaling),
        schedule: config.schedule && {
          timeZone: TimeZone.of(config.schedule.timezone),
          awake: config.schedule.awake,
          startWhenAsleep: spec.startWhenAsleep,
        },
        image: spec.image,
        gitSha: props.gitSha,
        environment: withoutEmpty({ ...data.environment, ...spec.environment, ...own.environment }),
        secrets: withoutEmpty({ ...data.secrets, ...spec.secrets, ...own.secrets }),
        containerHealthCheck: spec.containerHealthCheck,
        command: spec.command,
        writablePaths: spec.writablePaths,
        user: spec.user,
        cpuArchitecture: spec.cpuArchitecture,
        logRetention,
        encryptionKey: key,
        alarmActions: this.alarmTopic.alarmActions,
        removalPolicy,
      };
      const serviceId = pascalCase(name);
      if (isWorkerSpec(spec)) {
        // Always a rolling update: the environment's traffic-shifting strategy applies to routed services only.
        services[name] = new WorkerService(this, serviceId, {
          ...common,
          containerHealthCheck: spec.containerHealthCheck,
        });
      } else if (spec.internal) {
        services[name] = new InternalService(this, serviceId, { ...common, containerPort: spec.containerPort });
      } else if (this.httpApi) {
        services[name] = new HttpApiService(this, serviceId, {
          ...common,
          containerPort: spec.containerPort,
          httpApi: this.httpApi,
          pathPatterns: spec.pathPatterns,
        });
      } else {
        if (!spec.healthCheckPath) {
          throw SlipwayConfigError.of(this.node.path, {
            field: `services.${name}.healthCheckPath`,
            value: spec.healthCheckPath,
            problem: 'is required for a service behind the load balancer',
            fix: "Set the path that answers 200 when the service is ready, e.g. '/api/health', or mark the service internal.",
          });
        }
        const checks = smokeTestChecks[name] ?? [];
        const smokeTested = this.smokeTestHook !== undefined && checks.length > 0;
        const trafficShift =
          this.ingress?.testListener &&
          serviceTrafficShift(config.deployment, {
            testListener: this.ingress.testListener,
            stoppedTaskAlert: this.stoppedTaskAlert,
            lifecycleHooks: smokeTested ? [this.smokeTestHook!.hookTarget] : [],
            lifecycleHookDetails: smokeTested ? smokeTestHookDetails(checks) : undefined,
          });
        const service = new AlbService(this, serviceId, {
          ...common,
          containerPort: spec.containerPort,
          listener: this.ingress!.listener,
          healthCheckPath: spec.healthCheckPath,
          pathPatterns: spec.pathPatterns,
          priority: spec.priority,
          trafficShift: trafficShift || undefined,
        });
        // ECS invokes the hook with this role during the service's first deployment: wait for its policy too.
        if (smokeTested && trafficShift) service.service.node.addDependency(this.smokeTestHook!.invokeRole);
        if (trafficShift) {
          if (previousShift) service.service.node.addDependency(previousShift.service);
          previousShift = service;
        }
        services[name] = service;
      }
    }
    for (const [name, spec] of Object.entries(props.services)) {
      for (const caller of spec.reachableFrom ?? []) {
        if (!services[caller]) {
          throw SlipwayConfigError.of(this.node.path, {
            field: `services.${name}.reachableFrom`,
            value: caller,
            problem: 'must name another service of this app',
            fix: `Use one of ${Object.keys(services).join(', ')}.`,
          });
        }
        // A worker may call this service; nothing calls a worker (checkServiceKinds refused reachableFrom on one).
        services[name].connections.allowDefaultPortFrom(services[caller], `${caller} to ${name}`);
      }
    }
    for (const [name, service] of Object.entries(services)) {
      const uses = config.services[name].uses ?? [];
      if (uses.includes('database')) {
        this.database?.connections.allowDefaultPortFrom(service, `${name} to the database`);
      }
      if (uses.includes('cache')) this.cache?.connections.allowDefaultPortFrom(service, `${name} to the cache`);
    }
    this.services = services;
    this.nightStartTaskDefinitions = Object.values(services)
      .filter((service) => service.startedWhenAsleep)
      .map((service) => service.taskDefinition);
    for (const [name, spec] of Object.entries(props.services)) {
      const usesDatabase = (config.services[name].uses ?? []).includes('database');
      if (!spec.migrationCommand || !this.database || !usesDatabase) continue;
      const service = services[name];
      const migration = new DatabaseMigration(this, `${pascalCase(name)}Migration`, {
        cluster: this.cluster.cluster,
        taskDefinition: service.taskDefinition,
        containerName: service.container.containerName,
        command: spec.migrationCommand,
        securityGroups: [service.securityGroup],
        logRetention,
        encryptionKey: key,
        removalPolicy,
      });
      // After the database (and its rule admitting the service) exists; before the service gets the new revision.
      migration.node.addDependency(this.database);
      service.service.node.addDependency(migration);
    }

    this.dashboard = new EnvironmentDashboard(this, 'Dashboard', {
      cluster: this.cluster.cluster,
      containerInsights: this.cluster.containerInsights,
      services: Object.values(services),
      loadBalancer: this.ingress?.loadBalancer,
      httpApiStage: this.httpApi?.stage,
      database: this.database,
      cache: this.cache,
      stoppedTaskAlert: this.stoppedTaskAlert,
      additionalAlarms: [...(this.httpApi?.alarms ?? []), this.stoppedTaskAlert.deliveryAlarm],
      dashboardName: this.stackName,
    });

    const url = this.ingress?.url ?? this.httpApi?.url;
    if (url) this.urlOutput = new CfnOutput(this, 'Url', { value: url, description: 'Public URL of the app' });
    if (this.ingress) {
      new CfnOutput(this, 'LoadBalancerDnsName', { value: this.ingress.loadBalancer.loadBalancerDnsName });
    }
    this.clusterNameOutput = new CfnOutput(this, 'ClusterName', { value: this.cluster.cluster.clusterName });
    const serviceNameOutputs: Record<string, CfnOutput> = {};
    for (const [name, service] of Object.entries(services)) {
      serviceNameOutputs[name] = new CfnOutput(this, `${pascalCase(name)}ServiceName`, {
        value: service.service.serviceName,
      });
    }
    this.serviceNameOutputs = serviceNameOutputs;
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
    for (const [name, secrets] of Object.entries(createdSecrets)) {
      for (const [variable, secret] of Object.entries(secrets)) {
        const outputKey = createdSecretOutputKey(name, variable);
        if (this.node.tryFindChild(outputKey)) {
          throw SlipwayConfigError.of(configFile, {
            field: `services.${name}.secrets.${variable}`,
            value: variable,
            problem: `must differ from the other created secrets' variables in more than case and underscores (both would be output ${outputKey})`,
            fix: 'Rename one of the two variables.',
          });
        }
        new CfnOutput(this, outputKey, {
          value: secret.secretArn,
          description: `Secret for ${variable} of ${name}: put its value, then redeploy the service (docs/environments.md)`,
        });
      }
    }
    this.createdSecrets = createdSecrets;
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn });

    if (config.deletionProtection) {
      // `terminationProtection` above covers `cdk deploy`; this covers the pipeline, whose change-set actions
      // ignore it.
      this.terminationProtectionResource = new StackTerminationProtection(this, 'TerminationProtection');
    }
  }

  /** The configured zones: the VPC never asks AWS which zones exist. */
  public get availabilityZones(): string[] {
    return [...(this.config?.availabilityZones ?? [])];
  }
}

function checkServicesMatch(
  config: EnvironmentConfig,
  services: Readonly<Record<string, AppServiceSpec>>,
  file: string,
): void {
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(services)) {
    if (!config.services[name]) {
      issues.push({
        field: `services.${name}`,
        value: undefined,
        problem: 'has no settings in this environment',
        fix: `Add services.${name} (cpu, memoryMiB, desiredCount, capacity) to ${file}.`,
      });
    }
  }
  for (const name of Object.keys(config.services)) {
    if (!services[name]) {
      issues.push({
        field: `services.${name}`,
        value: config.services[name],
        problem: 'is not a service of the app',
        fix: `Remove it from ${file}, or add the service to the app.`,
      });
    }
  }
  if (issues.length > 0) throw new SlipwayConfigError(file, issues);
}

/** Whether the service gets a route on the environment's ingress: neither internal nor a worker. */
function isRouted(spec: AppServiceSpec): spec is AppWebServiceSpec {
  return !isWorkerSpec(spec) && !spec.internal;
}

/** The fields of a web service's spec that a worker's must leave out, and why. */
const WEB_ONLY_FIELDS = {
  containerPort: 'a worker listens on no port',
  internal: 'a worker is reachable by nothing, internally or not',
  healthCheckPath: 'a worker has no load balancer health check (its containerHealthCheck is its health)',
  pathPatterns: 'a worker has no route on the ingress',
  priority: 'a worker has no listener rule',
  reachableFrom:
    "nothing can call a worker (to let a worker call a service, name the worker in that service's reachableFrom)",
} as const;

/**
 * Refuse a spec whose kind and fields disagree (checked at run time too: the app's services may be built by code the
 * compiler did not see through), and a worker whose environment settings ask for request-count scaling.
 *
 * @param path the stack's construct path, the source of the app's own definitions
 * @param file the environment's settings file
 */
function checkServiceKinds(
  services: Readonly<Record<string, AppServiceSpec>>,
  config: EnvironmentConfig,
  path: string,
  file: string,
): void {
  const issues: ConfigIssue[] = [];
  for (const [name, spec] of Object.entries(services)) {
    const kind: unknown = spec.kind;
    if (kind !== undefined && kind !== 'web' && kind !== 'worker') {
      issues.push({
        field: `services.${name}.kind`,
        value: kind,
        problem: "must be 'web' or 'worker'",
        fix: "Leave kind out for a service that listens on containerPort; use kind: 'worker' for one that listens on no port.",
      });
      continue;
    }
    if (!isWorkerSpec(spec)) {
      // Typed as required, but the app's services may come from code the compiler did not check.
      const containerPort: unknown = spec.containerPort;
      if (containerPort === undefined) {
        issues.push({
          field: `services.${name}.containerPort`,
          value: undefined,
          problem: `is required for a ${spec.internal ? 'internal' : 'web'} service (it is reached on that port)`,
          fix: "Set the port the container listens on, e.g. 8000; a background process that listens on no port is kind: 'worker'.",
        });
      }
      continue;
    }
    const given = new Map<string, unknown>(Object.entries(spec));
    for (const [field, reason] of Object.entries(WEB_ONLY_FIELDS)) {
      const value = given.get(field);
      if (value === undefined) continue;
      issues.push({
        field: `services.${name}.${field}`,
        value,
        problem: `must not be set on a worker: ${reason}`,
        fix: `Remove ${field} from ${name}, or drop kind: 'worker' if the service listens on a port.`,
      });
    }
    if (!spec.containerHealthCheck) {
      issues.push({
        field: `services.${name}.containerHealthCheck`,
        value: undefined,
        problem:
          "is required for a worker: it is the worker's only health signal (no load balancer or Cloud Map checks it)",
        fix: 'Give the container a command that fails when the worker is stuck, e.g. a check of a heartbeat file the worker touches in /tmp (docs/constructs.md, "Workers").',
      });
    }
  }
  if (issues.length > 0) throw new SlipwayConfigError(path, issues);
  for (const [name, spec] of Object.entries(services)) {
    const requestsPerTarget = config.services[name]?.autoscaling?.requestsPerTarget;
    if (isWorkerSpec(spec) && requestsPerTarget !== undefined) {
      issues.push({
        field: `services.${name}.autoscaling.requestsPerTarget`,
        value: requestsPerTarget,
        problem: `must not be set: ${name} is a worker, and request-count scaling needs a load balancer target group`,
        fix: 'Remove requestsPerTarget; the worker scales on cpuTargetPercent (and memoryTargetPercent, if set).',
      });
    }
  }
  if (issues.length > 0) throw new SlipwayConfigError(file, issues);
}

/**
 * The app's service definition and the environment's settings may not both set a variable: the value would depend on
 * the order they are merged in. (The data tier's and the ingress's names are refused by the settings' own rules.)
 */
function checkSettingsBesideSpec(
  name: string,
  settings: ServiceSettingsProps,
  spec: AppServiceSpec,
  file: string,
): void {
  const inSpec = new Set([...Object.keys(spec.environment ?? {}), ...Object.keys(spec.secrets ?? {})]);
  const issues: ConfigIssue[] = (['environment', 'secrets'] as const).flatMap((kind) =>
    Object.keys(settings[kind])
      .filter((variable) => inSpec.has(variable))
      .map((variable) => ({
        field: `services.${name}.${kind}`,
        value: variable,
        problem: `must not set ${variable}, which the app's definition of ${name} already sets (AppServiceSpec ${spec.environment?.[variable] !== undefined ? 'environment' : 'secrets'})`,
        fix: `Set ${variable} in one place: remove it here, or remove it from the service's definition in the app and set it in every environment's settings.`,
      })),
  );
  if (issues.length > 0) throw new SlipwayConfigError(file, issues);
}

/** Undefined for an empty record, so a service without settings keeps the props it had before the data tier. */
function withoutEmpty<T>(record: Record<string, T>): Record<string, T> | undefined {
  return Object.keys(record).length === 0 ? undefined : record;
}

function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
