import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { EnvironmentKey } from '../security/environment-key';
import { CATCH_ALL_PRIORITY } from '../service/alb-service';

/**
 * The folder holding the hook's compiled code (tsc's output of `smoke-test-handler/index.ts`, which imports nothing but
 * Node.js built-ins and the runtime's AWS SDK). Resolved against `lib/` both from `lib/deployment` and, in the
 * package's own tests, from `src/deployment`.
 */
export const SMOKE_TEST_HOOK_CODE_DIRECTORY = path.resolve(
  __dirname,
  '..',
  '..',
  'lib',
  'deployment',
  'smoke-test-handler',
);

/**
 * The smoke test's checks: the health path, the version path and the page path. The function's code has its own
 * copy (it imports nothing of this package; test/deployment/smoke-test-hook.test.ts keeps the two equal).
 */
export const SMOKE_TEST_CHECKS = ['health', 'version', 'page'] as const;
/** One of {@link SMOKE_TEST_CHECKS}. */
export type SmokeTestCheck = (typeof SMOKE_TEST_CHECKS)[number];
/** The HookDetails key naming the checks that concern a service (the function reads it on every invocation). */
export const SMOKE_TEST_CHECKS_DETAIL = 'smokeTestChecks';

/** A service behind the load balancer, as its listener rule matches requests. */
export interface RoutedService {
  /** The service's name. */
  readonly name: string;
  /**
   * Its listener rule's path patterns.
   * @default ['/*']
   */
  readonly pathPatterns?: readonly string[];
  /**
   * Its listener rule's priority (lower wins).
   * @default 50000 (CATCH_ALL_PRIORITY)
   */
  readonly priority?: number;
}

/** The paths the smoke test calls, by check. */
export type SmokeTestPaths = Readonly<Record<SmokeTestCheck, string>>;

/**
 * Which of the smoke test's checks concern each service: those whose path the load balancer routes to it, the rule
 * with the lowest priority whose path pattern matches winning, as Elastic Load Balancing evaluates them (patterns
 * are case-sensitive; `*` matches any characters, `?` one). A service's hook runs only its own checks, so it never
 * depends on another service's tasks: on a stack's first deploy the services are created one after another, and a
 * check routed to a service that does not exist yet would answer 503 until the hook gives up and rolls back.
 */
export function smokeTestChecksByService(
  services: readonly RoutedService[],
  paths: SmokeTestPaths,
): Record<string, SmokeTestCheck[]> {
  const byService: Record<string, SmokeTestCheck[]> = Object.fromEntries(services.map((s) => [s.name, []]));
  const rules = [...services].sort((a, b) => (a.priority ?? CATCH_ALL_PRIORITY) - (b.priority ?? CATCH_ALL_PRIORITY));
  for (const check of SMOKE_TEST_CHECKS) {
    const target = rules.find((service) =>
      (service.pathPatterns ?? ['/*']).some((pattern) => pathPatternMatches(pattern, paths[check])),
    );
    if (target) byService[target.name].push(check);
  }
  return byService;
}

/** Whether an Elastic Load Balancing path pattern matches a path. */
export function pathPatternMatches(pattern: string, requestPath: string): boolean {
  const source = [...pattern]
    .map((character) =>
      character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, 's').test(requestPath);
}

/** The lifecycle hook's configuration (HookDetails) that limits the smoke test to `checks`. */
export function smokeTestHookDetails(checks: readonly SmokeTestCheck[]): Record<string, unknown> {
  return { [SMOKE_TEST_CHECKS_DETAIL]: [...checks] };
}

/** Props of `SmokeTestHook`. */
export interface SmokeTestHookProps {
  /** VPC whose private subnets the function runs in. */
  readonly vpc: ec2.IVpc;
  /** The load balancer whose test listener the smoke test calls (its nodes' private addresses). */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The test listener: the hook's security group is allowed to reach its port, nothing else is. */
  readonly testListener: elbv2.IApplicationListener;
  /** Port of the test listener. */
  readonly testListenerPort: number;
  /**
   * The commit the version path must report: the `GIT_SHA` build argument of the image serving it.
   * @default - any non-empty `gitSha` passes
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
  /**
   * Invocations (the first included) during which an unreachable test listener or a 502/503/504 counts as "still
   * warming up" (answered IN_PROGRESS); after them, FAILED.
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * Time ECS waits before invoking the hook again while the new tasks warm up (`callBackDelay`).
   * @default Duration.seconds(15)
   */
  readonly retryDelay?: Duration;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key encrypting the function's log group.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The pre-traffic smoke test of a traffic-shifting deployment, as an ECS deployment lifecycle hook: a Lambda function
 * in the VPC that ECS invokes once the new revision answers the test listener (POST_TEST_TRAFFIC_SHIFT) and before
 * any production traffic reaches it. It calls the health path (200), the version path (the expected commit) and the
 * page path (HTML) on every load balancer node; FAILED rolls the deployment back, IN_PROGRESS asks ECS to call again
 * while the new tasks warm up. Give it to services with `hookTarget`.
 */
export class SmokeTestHook extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** The role ECS assumes to invoke the function (only `lambda:InvokeFunction` on it). */
  public readonly invokeRole: iam.Role;
  /** The function's security group: egress to the test listener and HTTPS (the EC2 API) only. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The lifecycle hook target to add to each service (`service.addLifecycleHook`). */
  public readonly hookTarget: ecs.IDeploymentLifecycleHookTarget;
  /** The commit the version path must report (resolved). */
  public readonly expectedCommit?: string;
  /** The paths the checks call (resolved). */
  public readonly paths: SmokeTestPaths;

  constructor(scope: Construct, id: string, props: SmokeTestHookProps) {
    super(scope, id);
    this.expectedCommit = props.expectedCommit;
    this.paths = {
      health: props.healthPath ?? '/api/health',
      version: props.versionPath ?? '/api/version',
      page: props.pagePath ?? '/',
    };
    const indexFile = path.join(SMOKE_TEST_HOOK_CODE_DIRECTORY, 'index.js');
    if (!existsSync(indexFile)) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'code',
        value: indexFile,
        problem: 'must exist: the smoke test hook runs the compiled @slipway/constructs',
        fix: 'Compile @slipway/constructs first (npx projen compile at the repository root).',
      });
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Deployment smoke test hook: to the test listener and the EC2 API only',
      allowAllOutbound: false,
    });
    // DescribeNetworkInterfaces (the load balancer's private addresses), through the NAT or an interface endpoint.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the EC2 API');
    props.testListener.connections.allowFrom(
      this.securityGroup,
      ec2.Port.tcp(props.testListenerPort),
      'Deployment smoke test hook to the test listener',
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey ?? new EnvironmentKey(this, 'LogsKey').key,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.function = new lambda.Function(this, 'Function', {
      description: 'Smoke test of a new service revision through the test listener, before production traffic',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(SMOKE_TEST_HOOK_CODE_DIRECTORY, { exclude: ['*.d.ts', '*.map'] }),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      timeout: Duration.seconds(60),
      memorySize: 256,
      logGroup,
      environment: {
        LOAD_BALANCER_FULL_NAME: props.loadBalancer.loadBalancerFullName,
        TEST_LISTENER_PORT: String(props.testListenerPort),
        HEALTH_PATH: this.paths.health,
        VERSION_PATH: this.paths.version,
        PAGE_PATH: this.paths.page,
        MAX_ATTEMPTS: String(props.maxAttempts ?? 10),
        RETRY_DELAY_SECONDS: String((props.retryDelay ?? Duration.seconds(15)).toSeconds()),
        ...(props.expectedCommit ? { EXPECTED_COMMIT: props.expectedCommit } : {}),
      },
    });

    this.invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS invokes the deployment smoke test hook',
    });
    // The unqualified function ARN only (the one ECS invokes); grantInvoke would add every version and alias (`:*`).
    this.invokeRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );
    this.hookTarget = new ecs.DeploymentLifecycleLambdaTarget(this.function, 'SmokeTest', {
      role: this.invokeRole,
      lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
    });

    this.acknowledge();
  }

  private acknowledge(): void {
    const reason = (why: string) => `Deployment smoke test hook: ${why}`;
    acknowledgeInlinePolicy(this.invokeRole, 'Deployment smoke test hook invoke role');
    acknowledgeFindings(
      this.function,
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: reason('the AWS managed basic execution policy only lets it write its own CloudWatch logs.'),
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: reason(
          'a function in a VPC needs the network interface actions of this AWS managed policy; it also grants the DescribeNetworkInterfaces the hook uses to find the load balancer nodes.',
        ),
      },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: reason(
          'ECS invokes it a few times per deployment; reserving concurrency would fail in accounts with the minimum unreserved concurrency.',
        ),
      },
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: reason(
          'ECS invokes it synchronously and rolls the deployment back on an error; there is nothing to queue.',
        ),
      },
    );
  }
}
