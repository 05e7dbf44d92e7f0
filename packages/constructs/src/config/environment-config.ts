import { SecretRef } from './app-settings-config';
import { CacheConfig, DataResourceName, DatabaseConfig } from './data-config';
import { DeploymentConfig } from './deployment-config';
import { ScheduleConfig } from '../schedule/awake-hours';

/**
 * The environment model: everything that differs between dev and prod is a
 * value in an `EnvironmentConfig`, never a branch on the environment's name.
 */

/** How a service's tasks are placed on Fargate capacity. */
export type CapacityConfig =
  /** Every task on FARGATE_SPOT: cheapest, can be interrupted with a two-minute warning. */
  | 'spot'
  /** Every task on FARGATE (on-demand). */
  | 'on-demand'
  /** Mixed: the first `onDemandBase` tasks on FARGATE, the rest split FARGATE:FARGATE_SPOT as 1:`spotWeight`. */
  | MixedCapacityConfig;

/**
 * A FARGATE base with FARGATE_SPOT overflow.
 *
 * ECS does not move a task to FARGATE when Spot capacity is unavailable: the
 * Spot share of the tasks simply stays pending. The on-demand base is what
 * keeps the service up during a Spot shortage.
 */
export interface MixedCapacityConfig {
  /** Tasks that always run on FARGATE (on-demand) before any weight applies. Integer ≥ 0; ≥ 1 when highAvailability is on. */
  readonly onDemandBase: number;
  /** Weight of FARGATE_SPOT against a FARGATE weight of 1 for tasks above the base. Integer ≥ 1. */
  readonly spotWeight: number;
}

/** Target-tracking autoscaling of a service's task count. */
export interface AutoscalingConfig {
  /** Fewest tasks. Integer ≥ 1 (≥ 2 with highAvailability). */
  readonly min: number;
  /** Most tasks. Integer ≥ min. */
  readonly max: number;
  /** Average CPU utilisation to hold, in percent (10–90). */
  readonly cpuTargetPercent: number;
  /**
   * Average memory utilisation to hold, in percent (10–90), for a service that runs out of memory before it runs out
   * of CPU. With it, the service scales out when either target is exceeded and in only when both allow it.
   * @default - no memory scaling
   */
  readonly memoryTargetPercent?: number;
  /**
   * ALB requests per target per minute to hold; only for services behind the ALB (load-balancer ingress).
   * @default - no request-count scaling
   */
  readonly requestsPerTarget?: number;
  /**
   * Seconds to wait after a scale-in before the next one.
   * @default 300
   */
  readonly scaleInCooldownSeconds?: number;
  /**
   * Seconds to wait after a scale-out before the next one.
   * @default 60
   */
  readonly scaleOutCooldownSeconds?: number;
}

/** Compute and capacity settings of one service in one environment. */
export interface ServiceConfig {
  /** Task CPU units (256 = 0.25 vCPU); must pair with memoryMiB as Fargate allows. */
  readonly cpu: number;
  /** Task memory in MiB; must pair with cpu as Fargate allows. */
  readonly memoryMiB: number;
  /**
   * Tasks to run. Integer ≥ 1; ≥ 2 with highAvailability. Required without `autoscaling`. With `autoscaling` the
   * template has no DesiredCount (a deploy keeps the running count) and `autoscaling.min` is the floor, so leave it
   * out; when set it must lie within [min, max].
   * @default - `autoscaling.min` (only with autoscaling)
   */
  readonly desiredCount?: number;
  /** Which Fargate capacity the tasks run on. */
  readonly capacity: CapacityConfig;
  /**
   * Target-tracking autoscaling.
   * @default - fixed desiredCount, no autoscaling
   */
  readonly autoscaling?: AutoscalingConfig;
  /**
   * The environment's data resources the service connects to: it gets their connection settings as environment
   * variables and their credentials as ECS secrets, and their security groups admit it. Each must exist in the
   * environment (`database`, `cache`).
   * @default - none
   */
  readonly uses?: ReadonlyArray<DataResourceName>;
  /**
   * Plain environment variables of the service's container in this environment, e.g. the address of a service it
   * calls (`TEMPORAL_ADDRESS: 'temporal.example.com:7233'`). Never secrets: the values are in this file, in git and in
   * the task definition; use `secrets`. Names Slipway or ECS set themselves are refused (docs/environments.md).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secret environment variables: where ECS reads each value when a task starts (a Secrets Manager secret, a
   * Parameter Store parameter, or a secret the stack creates for you to fill in). The task's execution role may read
   * exactly these.
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
}

/** Network layout of the environment's VPC. */
export interface NetworkConfig {
  /** How many of `availabilityZones` the VPC spans (1 to availabilityZones.length). */
  readonly maxAzs: number;
  /** NAT gateways (or NAT instances) for private-subnet egress; 1 to maxAzs. */
  readonly natGateways: number;
  /**
   * What provides NAT: managed NAT gateways, or small Graviton EC2 NAT instances
   * (about a tenth of the cost, a single point of failure; not allowed with highAvailability).
   * @default 'gateway'
   */
  readonly natProvider?: 'gateway' | 'instance';
  /**
   * The NAT instance's machine image; required with natProvider 'instance', not allowed with 'gateway'.
   * @default - none (NAT gateways)
   */
  readonly natInstance?: NatInstanceConfig;
  /**
   * VPC endpoints to create so that traffic to these services stays off the NAT.
   * @default - none
   */
  readonly vpcEndpoints?: ReadonlyArray<VpcEndpointName>;
  /**
   * IPv4 CIDR of the VPC, /16 to /24.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
}

/**
 * The image of the NAT instance, fixed in the settings: Slipway never resolves "the latest Amazon Linux"
 * at deploy time, because every new release would then replace the NAT instance (and cut egress while
 * it boots) on the next deploy. Updating it is a deliberate change of this value.
 */
export interface NatInstanceConfig {
  /**
   * An Amazon Linux 2023 arm64 AMI id in the environment's region (the NAT is a Graviton t4g.nano):
   * `aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64
   * --region <region> --query Parameter.Value --output text`. `ami-` and 8 or 17 hexadecimal digits.
   */
  readonly amiId: string;
}

/** Names of the VPC endpoints the network construct can create. */
export type VpcEndpointName = 'ecr' | 'logs' | 'secretsmanager' | 's3';

/** HTTPS with a certificate that Slipway requests and validates through Route 53. */
export interface HostedZoneHttpsConfig {
  /** The site's domain, e.g. `app.example.com`; must be in hostedZoneName. */
  readonly domainName: string;
  /** Route 53 hosted zone id, e.g. `Z0123456789ABCDEFGHIJ`. */
  readonly hostedZoneId: string;
  /** Route 53 hosted zone name, e.g. `example.com`. */
  readonly hostedZoneName: string;
  /** Not with a hosted zone: Slipway issues the certificate. */
  readonly certificateArn?: never;
}

/** HTTPS with an existing ACM certificate (in the environment's region); DNS is yours to point at the ingress. */
export interface ImportedCertificateHttpsConfig {
  /** The site's domain, covered by the certificate. */
  readonly domainName: string;
  /** ARN of an issued ACM certificate in the environment's region. */
  readonly certificateArn: string;
  /** Not with an imported certificate: DNS is yours. */
  readonly hostedZoneId?: never;
  /** Not with an imported certificate: DNS is yours. */
  readonly hostedZoneName?: never;
}

/**
 * HTTPS settings: a DNS-validated certificate in a hosted zone, or an existing certificate. The two forms are told
 * apart by `certificateArn` (see `isHostedZoneHttps`).
 */
export type HttpsConfig = HostedZoneHttpsConfig | ImportedCertificateHttpsConfig;

/** Where alarms are sent. */
export interface AlarmsConfig {
  /**
   * Email address subscribed to the environment's alarm topic (confirm the subscription email once).
   * @default - no email subscription
   */
  readonly email?: string;
  /**
   * An existing SNS topic to also notify (e.g. a chat integration).
   * @default - only the environment's own topic
   */
  readonly topicArn?: string;
}

/** Pipeline settings for promoting into this environment. */
export interface ApprovalConfig {
  /** Whether a person must approve before the pipeline deploys to this environment. */
  readonly required: boolean;
  /**
   * Email notified when an approval is waiting.
   * @default - no notification
   */
  readonly notifyEmail?: string;
}

/** Private DNS for service-to-service calls (`backend.dev.local`). */
export interface ServiceDiscoveryConfig {
  /** Cloud Map private DNS namespace, e.g. `dev.local`. */
  readonly namespace: string;
}

/** An ALB in the public subnets in front of the services (the default). */
export interface LoadBalancerIngressConfig {
  /** Application Load Balancer: HTTPS listener, HTTP → HTTPS redirect, optional WAF, per-target health checks. */
  readonly type: 'load-balancer';
}

/** Requests per second the HTTP API lets through before it answers 429. */
export interface HttpApiThrottleConfig {
  /** Steady-state requests per second across the API, 1–10000. */
  readonly rateLimit: number;
  /** Requests allowed at once above the steady rate (the token bucket's size), a whole number 1–5000. */
  readonly burstLimit: number;
}

/**
 * An API Gateway HTTP API with a VPC link to the services' Cloud Map names, instead of an ALB: no load
 * balancer hours and no public IPv4 addresses, $1.00 per million requests (us-east-1). Needs
 * `serviceDiscovery`; cannot have `waf` or `requestsPerTarget` autoscaling.
 */
export interface HttpApiIngressConfig {
  /** API Gateway HTTP API → VPC link → Cloud Map (SRV) → tasks. */
  readonly type: 'http-api';
  /**
   * Default throttling of every route; a ceiling on what a runaway client can cost.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: HttpApiThrottleConfig;
}

/** What puts the services on the internet. */
export type IngressConfig = LoadBalancerIngressConfig | HttpApiIngressConfig;

/** Everything that describes one deployment environment. */
export interface EnvironmentConfig {
  /** Environment name: lowercase letters, digits and hyphens (`dev`, `prod`, `staging-eu`). */
  readonly name: string;
  /** 12-digit AWS account id. */
  readonly account: string;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
  /** Availability zones in `region`, listed so synth needs no lookup. */
  readonly availabilityZones: readonly string[];
  /** VPC settings. */
  readonly network: NetworkConfig;
  /** Per-service compute settings, keyed by service name (`backend`, `frontend`). */
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /**
   * Cloud Map private DNS namespace.
   * @default - no service discovery
   */
  readonly serviceDiscovery?: ServiceDiscoveryConfig;
  /**
   * What puts the services on the internet: an Application Load Balancer, or an API Gateway HTTP API
   * with a VPC link to Cloud Map (much cheaper when traffic is low; see docs/constructs.md).
   * @default { type: 'load-balancer' }
   */
  readonly ingress?: IngressConfig;
  /**
   * HTTPS on your own domain: for the load balancer (listener, redirect, alias), or for the HTTP API (custom domain, alias).
   * @default - the load balancer serves HTTP only on port 80; the HTTP API serves HTTPS on its execute-api name
   */
  readonly https?: HttpsConfig;
  /**
   * Put AWS WAF (managed common, known-bad-inputs and IP-reputation rules, per-IP rate limit) in front of the load balancer.
   * About $10/month plus $0.60 per million requests. Load-balancer ingress only: HTTP APIs cannot have a web ACL.
   * @default false
   */
  readonly waf?: boolean;
  /** Days to keep container, flow and access logs; a CloudWatch Logs retention value (7, 14, 30, ...). */
  readonly logRetentionDays: number;
  /** Whether ECS Container Insights is on (about $2+/month per cluster). */
  readonly containerInsights: boolean;
  /** Whether the load balancer has deletion protection and stateful resources are retained on delete. */
  readonly deletionProtection: boolean;
  /**
   * Where alarms go.
   * @default - alarms publish to the environment's topic with no subscribers
   */
  readonly alarms?: AlarmsConfig;
  /** Whether the environment must survive the loss of one AZ and one task. Turns on the cross-field rules. */
  readonly highAvailability: boolean;
  /**
   * Out-of-hours schedule: every service runs only in the awake hours and is scaled to zero tasks the rest of the week
   * (Application Auto Scaling scheduled actions), e.g. `{ timezone: 'Europe/Dublin', awake: { days: 'MON-FRI', from:
   * '08:00', to: '19:00' } }`. Not with highAvailability. The database, NAT and ingress stay up (docs/environments.md).
   * @default - the services run all the time
   */
  readonly schedule?: ScheduleConfig;
  /**
   * How ECS releases a new revision of each service: `rolling` in place, or, behind the load balancer, a `canary`,
   * `linear` or `blue-green` traffic shift with bake time, alarm rollback and a smoke test before production traffic.
   * @default { strategy: 'rolling' }
   */
  readonly deployment?: DeploymentConfig;
  /**
   * Manual approval before the pipeline deploys here.
   * @default - no approval
   */
  readonly approval?: ApprovalConfig;
  /**
   * PostgreSQL for the services that list `'database'` in `uses` (docs/data.md).
   * @default - no database
   */
  readonly database?: DatabaseConfig;
  /**
   * Redis-compatible cache (Valkey) for the services that list `'cache'` in `uses` (docs/data.md).
   * @default - no cache
   */
  readonly cache?: CacheConfig;
}

/** Whether `https` uses a Route 53 hosted zone (Slipway issues the certificate and the alias record). */
export function isHostedZoneHttps(https: HttpsConfig): https is HostedZoneHttpsConfig {
  return https.certificateArn === undefined;
}

/** Whether a capacity setting is the mixed on-demand base + Spot form. */
export function isMixedCapacity(capacity: CapacityConfig): capacity is MixedCapacityConfig {
  return typeof capacity === 'object';
}

/** Whether the environment's ingress is the HTTP API (the default is the load balancer). */
export function isHttpApiIngress(ingress: IngressConfig | undefined): ingress is HttpApiIngressConfig {
  return ingress?.type === 'http-api';
}
