import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { SlipwayServiceBase } from './service-base';
import { SlipwayServiceProps } from './service-props';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { HttpApiIngress, httpApiRouteKeys } from '../ingress/http-api-ingress';

/** Props of `HttpApiService`. */
export interface HttpApiServiceProps extends SlipwayServiceProps {
  /** The HTTP API and VPC link the service's routes go on. */
  readonly httpApi: HttpApiIngress;
  /**
   * Paths routed to this service, ALB-style: `'/api/*'` (becomes `ANY /api/{proxy+}` and `ANY /api`) or an
   * exact path (`'/health'`). Wildcards only as a whole last segment.
   * @default ['/*'] - the `$default` route (everything no other route claims)
   */
  readonly pathPatterns?: readonly string[];
}

/**
 * The variable that tells a service which header carries its clients' addresses: `forwarded` behind the HTTP API
 * (the sample API reads it; behind a load balancer it is unset and the API reads `X-Forwarded-For`).
 */
export const CLIENT_ADDRESS_VARIABLE = 'CLIENT_ADDRESS_FROM';

/**
 * A Fargate service behind the environment's HTTP API: registered in Cloud Map
 * with SRV records (the API's integration needs each task's port), routed by
 * path through the VPC link, reachable on its container port from the VPC
 * link's security group only. Circuit breaker with rollback, capacity and CPU
 * autoscaling as every service; the API's 5xx-rate alarm is its ECS deployment
 * alarm, so a deploy that starts answering errors rolls back.
 *
 * There is no target group: no health-check path, no requests-per-target
 * scaling. Give the container a `containerHealthCheck` so ECS (and through it
 * Cloud Map) knows when a task is ready; without one a task counts as healthy
 * as soon as it runs.
 */
export class HttpApiService extends SlipwayServiceBase {
  /** The API routes that reach this service. */
  public readonly routes: apigwv2.HttpRoute[];
  /** Their route keys (resolved), e.g. `ANY /api/{proxy+}`, `ANY /api`, or `$default`. */
  public readonly routeKeys: readonly string[];
  /** Routed path patterns (resolved). */
  public readonly pathPatterns: readonly string[];
  /** Alarms ECS watches during a deployment; any in ALARM rolls the deployment back. */
  public readonly deploymentAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: HttpApiServiceProps) {
    // API Gateway sends a private integration the client's address in RFC 7239's Forwarded header only, never in
    // X-Forwarded-For (which a client could then write itself): the API reads it from there.
    super(
      scope,
      id,
      { ...props, environment: { ...props.environment, [CLIENT_ADDRESS_VARIABLE]: 'forwarded' } },
      { discoveryRecordType: 'SRV' },
    );
    const path = this.node.path;
    if (!props.cluster.defaultCloudMapNamespace) {
      throw SlipwayConfigError.of(path, {
        field: 'cluster.defaultCloudMapNamespace',
        value: undefined,
        problem: 'is required for a service behind the HTTP API (the API reaches tasks through Cloud Map)',
        fix: "Give the cluster a namespace (SlipwayCluster's serviceDiscoveryNamespace; in the environment, serviceDiscovery: { namespace: 'dev.local' }).",
      });
    }
    if (props.autoScaling?.requestsPerTarget !== undefined) {
      throw SlipwayConfigError.of(path, {
        field: 'autoScaling.requestsPerTarget',
        value: props.autoScaling.requestsPerTarget,
        problem: 'needs a load balancer target group; the HTTP API has no per-task request metric',
        fix: "Remove requestsPerTarget (the service still scales on CPU), or use ingress: { type: 'load-balancer' }.",
      });
    }
    this.pathPatterns = props.pathPatterns ?? ['/*'];
    this.routeKeys = httpApiRouteKeys({
      source: path,
      serviceName: props.serviceName,
      pathPatterns: props.pathPatterns,
    });
    this.routes = props.httpApi.addServiceRoutes({
      serviceName: props.serviceName,
      cloudMapService: this.service.cloudMapService!,
      pathPatterns: props.pathPatterns,
    });
    this.connections.allowDefaultPortFrom(props.httpApi, `HTTP API VPC link to ${props.serviceName}`);

    // API-level: it also fires for another service's errors while this one deploys. A needless rollback
    // can be retried; a bad deploy that stays is worse. Per-route metrics would cost about $0.30 each a month.
    this.deploymentAlarms = [props.httpApi.errorRateAlarm];
    this.rollBackOnAlarms(this.deploymentAlarms);
  }
}
