import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { SlipwayServiceBase } from './service-base';
import { SlipwayTaskServiceProps } from './service-props';
import { SlipwayConfigError } from '../config/slipway-config-error';

/** Props of `WorkerService`. */
export interface WorkerServiceProps extends SlipwayTaskServiceProps {
  /**
   * ECS container health check: the worker's only health signal, as no load balancer or Cloud Map checks it. ECS
   * replaces a task whose essential container turns UNHEALTHY, and a deployment whose new tasks never turn HEALTHY
   * trips the circuit breaker, which rolls it back. The command runs inside the container, so it must exist in the
   * image; a worker that serves no HTTP can touch a heartbeat file in a writable path (`/tmp`) from its loop and
   * the check can test the file's age.
   */
  readonly containerHealthCheck: ecs.HealthCheck;
}

/**
 * A Fargate service that listens on no port: a queue consumer, a Temporal worker, a scheduler. Its tasks run in
 * the private subnets with outbound access only (its security group has no ingress rule), map no port, register in
 * no Cloud Map namespace and have no load balancer or API route. It usually runs the image of another service
 * with another `command`: give both the same `ServiceImage` and CDK publishes one image asset for the two.
 *
 * It deploys with a rolling update, the circuit breaker rolling back a deployment whose tasks fail to start,
 * keep exiting or fail their container health check; canary, linear and blue/green releases shift load balancer
 * traffic, which a worker has none of. It scales on CPU (and memory) like the other services; request-count
 * scaling needs a load balancer and is refused.
 */
export class WorkerService extends SlipwayServiceBase {
  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id, props, { port: 'none' });
    if (!props.containerHealthCheck) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'containerHealthCheck',
        value: undefined,
        problem: "is required for a worker: it is the worker's only health signal (no load balancer checks it)",
        fix: "Give the container a check that fails when the worker is stuck, e.g. ['CMD-SHELL', 'test $(( $(date +%s) - $(stat -c %Y /tmp/heartbeat) )) -lt 60'] with the worker touching /tmp/heartbeat in its loop.",
      });
    }
    if (props.autoScaling?.requestsPerTarget !== undefined) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'autoScaling.requestsPerTarget',
        value: props.autoScaling.requestsPerTarget,
        problem: 'needs a load balancer, which a worker does not have',
        fix: 'Remove requestsPerTarget for this service; it scales on CPU (and memory, if set).',
      });
    }
  }
}
