import { AlarmGroupView, AlarmsByTopics, readAlarms } from './readers/alarms';
import { DataStoreView, readDataStores } from './readers/data-stores';
import { HttpApiView, readHttpApis } from './readers/http-apis';
import { LoadBalancerView, readLoadBalancers } from './readers/load-balancers';
import { readServices, ServiceView } from './readers/services';
import { compare, stackScope } from './readers/stack-scope';
import { readVpcs, VpcView } from './readers/vpcs';
import type { AssemblySection } from '../assembly/cloud-assembly';

export type { AlarmGroupView } from './readers/alarms';
export type { DataStoreAccess, DataStoreView } from './readers/data-stores';
export type { HttpApiView } from './readers/http-apis';
export type { ListenerView, LoadBalancerView } from './readers/load-balancers';
export type { ServiceView } from './readers/services';
export type { VpcView } from './readers/vpcs';

/** What one environment (a Stage of the app) is made of, as the diagram draws it. */
export interface EnvironmentArchitecture {
  readonly name: string;
  readonly vpcs: readonly VpcView[];
  readonly loadBalancers: readonly LoadBalancerView[];
  /** API Gateway HTTP APIs in front of services (the HTTP API ingress). */
  readonly httpApis: readonly HttpApiView[];
  readonly services: readonly ServiceView[];
  /** Databases and caches, with who may connect to them. */
  readonly dataStores: readonly DataStoreView[];
  readonly alarmGroups: readonly AlarmGroupView[];
}

/**
 * Read the architecture of one Stage from its synthesized templates: one
 * reader per kind of resource (`readers/`), stack by stack.
 */
export function readEnvironmentArchitecture(section: AssemblySection): EnvironmentArchitecture {
  const vpcs: VpcView[] = [];
  const loadBalancers: LoadBalancerView[] = [];
  const httpApis: HttpApiView[] = [];
  const services: ServiceView[] = [];
  const dataStores: DataStoreView[] = [];
  const alarmGroups: AlarmsByTopics = new Map();

  section.stacks.forEach((stack, stackIndex) => {
    const scope = stackScope(stack, stackIndex);
    // Services first: listeners and API routes point at them.
    const stackServices = readServices(scope);
    services.push(...stackServices.services);
    vpcs.push(...readVpcs(scope));
    loadBalancers.push(...readLoadBalancers(scope, stackServices.serviceByTargetGroup));
    httpApis.push(...readHttpApis(scope, stackServices.serviceByCloudMapService));
    dataStores.push(...readDataStores(scope));
    readAlarms(scope, alarmGroups);
  });

  return {
    name: section.name,
    vpcs,
    loadBalancers,
    httpApis,
    services: services.sort((a, b) => compare(a.name, b.name)),
    dataStores,
    alarmGroups: [...alarmGroups.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([, group], index) => ({
        key: `alarms_${index}`,
        alarms: group.alarms.sort(compare),
        topics: group.topics,
      })),
  };
}
