import { Construct } from 'constructs';
import { SlipwayServiceBase, SlipwayServiceProps } from './service-base';
import { SlipwayConfigError } from '../config/slipway-config-error';

/** Props of `InternalService`. */
export interface InternalServiceProps extends SlipwayServiceProps {}

/**
 * A Fargate service with no load balancer, reachable only through Cloud Map
 * (`worker.dev.local`) from peers allowed with `allowFrom`: for workers and
 * private APIs. The cluster must have a service discovery namespace.
 * Without target-group metrics there are no deployment alarms: the circuit
 * breaker rolls back a deployment whose tasks fail to start or keep exiting.
 */
export class InternalService extends SlipwayServiceBase {
  constructor(scope: Construct, id: string, props: InternalServiceProps) {
    super(scope, id, props, {});
    if (!props.cluster.namespace) {
      throw SlipwayConfigError.of(
        this.node.path,
        'cluster.namespace',
        undefined,
        'is required for an internal service (it is reachable only through Cloud Map)',
        "Set serviceDiscovery: { namespace: 'dev.local' } in the environment.",
      );
    }
    if (props.settings.autoscaling?.requestsPerTarget !== undefined) {
      throw SlipwayConfigError.of(
        this.node.path,
        'settings.autoscaling.requestsPerTarget',
        props.settings.autoscaling.requestsPerTarget,
        'needs a load balancer, which an internal service does not have',
        'Remove requestsPerTarget for this service; it scales on CPU.',
      );
    }
  }
}
