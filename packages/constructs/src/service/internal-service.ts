import { Construct } from 'constructs';
import { SlipwayServiceBase } from './service-base';
import { SlipwayServiceProps } from './service-props';
import { SlipwayConfigError } from '../config/slipway-config-error';

/** Props of `InternalService`. */
export interface InternalServiceProps extends SlipwayServiceProps {}

/**
 * A Fargate service with no load balancer, reachable only through Cloud Map
 * (`worker.dev.local`) from peers let in with `connections.allowDefaultPortFrom`: for private APIs and
 * workers that other services call on a port. (A process that listens on no port is a `WorkerService`.)
 * The cluster must have a service discovery namespace.
 * Without target-group metrics there are no deployment alarms: the circuit
 * breaker rolls back a deployment whose tasks fail to start or keep exiting.
 */
export class InternalService extends SlipwayServiceBase {
  constructor(scope: Construct, id: string, props: InternalServiceProps) {
    super(scope, id, props, {});
    if (!props.cluster.defaultCloudMapNamespace) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'cluster.defaultCloudMapNamespace',
        value: undefined,
        problem: 'is required for an internal service (it is reachable only through Cloud Map)',
        fix: "Give the cluster a namespace (SlipwayCluster's serviceDiscoveryNamespace; in the environment, serviceDiscovery: { namespace: 'dev.local' }).",
      });
    }
    if (props.autoScaling?.requestsPerTarget !== undefined) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'autoScaling.requestsPerTarget',
        value: props.autoScaling.requestsPerTarget,
        problem: 'needs a load balancer, which an internal service does not have',
        fix: 'Remove requestsPerTarget for this service; it scales on CPU.',
      });
    }
  }
}
