import { compare, nodeKey, ofType, single, StackScope, subnetsOf, vpcKeyOf } from './stack-scope';
import type { AtCapacity } from '../../assembly/at-capacity';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import { capacityStrategy, taskCounts } from '../../assembly/ecs-service';
import { literalNumber, literalString, referencedId, resourceName } from '../../assembly/template-values';

/** An ECS service. */
export interface ServiceView {
  readonly key: string;
  readonly name: string;
  readonly tasks?: AtCapacity;
  readonly cpuUnits?: number;
  readonly memoryMiB?: number;
  /** `Fargate`, `Fargate Spot`, or `Fargate base 1 + Spot 1:3`. */
  readonly capacity?: string;
  /** Private DNS names other services reach it by (Cloud Map / Service Connect). */
  readonly discoveryNames: readonly string[];
  readonly vpcKey?: string;
  readonly subnetKind?: string;
}

/** A stack's ECS services, and how the things in front of them point at them. */
export interface StackServices {
  readonly services: readonly ServiceView[];
  /** Target group logical id → service key: listeners point at services through target groups. */
  readonly serviceByTargetGroup: ReadonlyMap<string, string>;
  /** Cloud Map service logical id → service key: the HTTP API's integrations point at services through these. */
  readonly serviceByCloudMapService: ReadonlyMap<string, string>;
}

/** Read the ECS services of one stack. */
export function readServices(scope: StackScope): StackServices {
  const { resources } = scope;
  const services: ServiceView[] = [];
  const serviceByTargetGroup = new Map<string, string>();
  const serviceByCloudMapService = new Map<string, string>();
  for (const [id, resource] of ofType(scope, 'AWS::ECS::Service')) {
    const properties = resource.Properties ?? {};
    const taskDefinition = resources[referencedId(properties.TaskDefinition) ?? ''];
    const counts = taskCounts(resources, id, properties);
    const subnets = subnetsOf(scope, properties.NetworkConfiguration?.AwsvpcConfiguration?.Subnets);
    const serviceKey = nodeKey(scope, id);
    for (const loadBalancer of Array.isArray(properties.LoadBalancers) ? properties.LoadBalancers : []) {
      const targetGroup = referencedId(loadBalancer?.TargetGroupArn);
      if (targetGroup) serviceByTargetGroup.set(targetGroup, serviceKey);
    }
    for (const registry of Array.isArray(properties.ServiceRegistries) ? properties.ServiceRegistries : []) {
      const cloudMapService = referencedId(registry?.RegistryArn);
      if (cloudMapService) serviceByCloudMapService.set(cloudMapService, serviceKey);
    }
    services.push({
      key: serviceKey,
      name: serviceName(scope, id, resource),
      tasks: typeof counts === 'string' ? undefined : counts,
      cpuUnits: literalNumber(taskDefinition?.Properties?.Cpu),
      memoryMiB: literalNumber(taskDefinition?.Properties?.Memory),
      capacity: capacityLabel(resources, properties),
      discoveryNames: discoveryNames(resources, properties),
      vpcKey: vpcKeyOf(scope, subnets),
      subnetKind: single(subnets.map((subnet) => subnet.kind)),
    });
  }
  return { services, serviceByTargetGroup, serviceByCloudMapService };
}

/** Services are named by their construct path without the trailing `/Service` CDK adds. */
function serviceName(scope: StackScope, logicalId: string, resource: TemplateResource): string {
  const explicit = literalString(resource.Properties?.ServiceName);
  if (explicit) return explicit;
  const name = resourceName(scope.stack, logicalId, resource);
  return name.includes('/') ? name.replace(/(\/Service)+$/, '') : name;
}

function capacityLabel(
  resources: Readonly<Record<string, TemplateResource>>,
  service: Record<string, any>,
): string | undefined {
  const strategy = capacityStrategy(resources, service);
  if (typeof strategy === 'string') return literalString(service.LaunchType);
  const names = strategy.map((share) =>
    share.provider === 'FARGATE_SPOT' ? 'Spot' : share.provider === 'FARGATE' ? 'Fargate' : share.provider,
  );
  if (strategy.length === 1) return names[0] === 'Spot' ? 'Fargate Spot' : names[0];
  const bases = strategy
    .filter((share) => share.base > 0)
    .map((share, index) => `${names[strategy.indexOf(share)] ?? index} base ${share.base}`);
  const weights = strategy.map((share, index) => `${names[index]} ${share.weight}`).join(' : ');
  return [...bases, `then ${weights}`].join(', ');
}

function discoveryNames(resources: Readonly<Record<string, TemplateResource>>, service: Record<string, any>): string[] {
  const names: string[] = [];
  for (const registry of Array.isArray(service.ServiceRegistries) ? service.ServiceRegistries : []) {
    const discovery = resources[referencedId(registry?.RegistryArn) ?? ''];
    const discoveryName = literalString(discovery?.Properties?.Name);
    const namespace =
      resources[
        referencedId(discovery?.Properties?.DnsConfig?.NamespaceId ?? discovery?.Properties?.NamespaceId) ?? ''
      ];
    const namespaceName = literalString(namespace?.Properties?.Name);
    // SRV answers carry each task's host and port (what the HTTP API's integration reads); a plain A lookup of the name finds nothing.
    const srv = (discovery?.Properties?.DnsConfig?.DnsRecords ?? []).some((record: any) => record?.Type === 'SRV');
    const fullName = discoveryName && (namespaceName ? `${discoveryName}.${namespaceName}` : discoveryName);
    if (fullName) names.push(srv ? `${fullName} (SRV)` : fullName);
  }
  const connect = service.ServiceConnectConfiguration;
  if (connect?.Enabled === true) {
    for (const connectService of Array.isArray(connect.Services) ? connect.Services : []) {
      for (const alias of Array.isArray(connectService?.ClientAliases) ? connectService.ClientAliases : []) {
        const dns =
          literalString(alias?.DnsName) ??
          literalString(connectService.DiscoveryName) ??
          literalString(connectService.PortName);
        const port = literalNumber(alias?.Port);
        if (dns) names.push(port ? `${dns}:${port}` : dns);
      }
    }
  }
  return [...new Set(names)].sort(compare);
}
