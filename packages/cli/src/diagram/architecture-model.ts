import type { AssemblySection, AssemblyStack, TemplateResource } from '../cost/cloud-assembly';
import type { AtCapacity } from '../cost/cost-estimate';
import { capacityStrategy, taskCounts } from '../cost/ecs-service';
import {
  literalNumber,
  literalString,
  referencedId,
  referencedIds,
  resourceName,
  sortedResources,
  tagValue,
} from '../cost/template-values';

/** What one environment (a Stage of the app) is made of, as the diagram draws it. */
export interface EnvironmentArchitecture {
  readonly name: string;
  readonly vpcs: readonly VpcView[];
  readonly loadBalancers: readonly LoadBalancerView[];
  /** API Gateway HTTP APIs in front of services (the HTTP API ingress). */
  readonly httpApis: readonly HttpApiView[];
  readonly services: readonly ServiceView[];
  readonly alarmGroups: readonly AlarmGroupView[];
}

/** A VPC and what sits in its subnets. */
export interface VpcView {
  readonly key: string;
  readonly cidr?: string;
  /** Subnet groups by kind (Public, Private, Isolated), each with its AZs. */
  readonly subnets: ReadonlyArray<{ readonly kind: string; readonly count: number; readonly azs: readonly string[] }>;
  /** NAT gateways or instances, summarized, e.g. `NAT instance t4g.nano`. */
  readonly nat: ReadonlyArray<{ readonly label: string; readonly count: number }>;
  /** Interface endpoint service names, e.g. `ecr.api`. */
  readonly interfaceEndpoints: readonly string[];
}

/** A load balancer and its listeners. */
export interface LoadBalancerView {
  readonly key: string;
  readonly name: string;
  readonly type: string;
  readonly internetFacing: boolean;
  readonly vpcKey?: string;
  readonly subnetKind?: string;
  readonly azCount?: number;
  readonly listeners: readonly ListenerView[];
}

/** One listener: its port and protocol, and where it sends requests. */
export interface ListenerView {
  readonly port: number | string;
  readonly protocol: string;
  /** `redirect to HTTPS:443` when the default action redirects. */
  readonly redirect?: string;
  /**
   * Whether the load balancer's security groups admit the port from anywhere (0.0.0.0/0 or ::/0). A deployment's
   * test listener is not: only the smoke test hook inside the VPC reaches it.
   */
  readonly openToInternet: boolean;
  /** Routes to services, the default last. */
  readonly routes: ReadonlyArray<{ readonly condition: string; readonly serviceKey: string }>;
}

/** An API Gateway HTTP API, its VPC link and the routes through it. */
export interface HttpApiView {
  readonly key: string;
  readonly name: string;
  /** Custom domain names mapped to the API, e.g. `app.example.com`. */
  readonly domains: readonly string[];
  /** Whether the execute-api endpoint is on (off when only the custom domain should answer). */
  readonly executeApiEndpoint: boolean;
  /** Default route throttling of its stages, e.g. `50/s, burst 100`. */
  readonly throttle?: string;
  /** VPC links its routes use. */
  readonly vpcLinks: ReadonlyArray<{
    readonly key: string;
    readonly vpcKey?: string;
    readonly subnetKind?: string;
    readonly azCount: number;
  }>;
  /** Routes to services: route key, the VPC link it goes through, the service. */
  readonly routes: ReadonlyArray<{
    readonly routeKey: string;
    readonly vpcLinkKey?: string;
    readonly serviceKey: string;
  }>;
}

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

/** Alarms that notify the same topics. */
export interface AlarmGroupView {
  readonly key: string;
  readonly alarms: readonly string[];
  readonly topics: readonly string[];
}

function key(stackIndex: number, logicalId: string): string {
  return `s${stackIndex}_${logicalId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Services are named by their construct path without the trailing `/Service` CDK adds. */
function serviceName(stack: AssemblyStack, logicalId: string, resource: TemplateResource): string {
  const explicit = literalString(resource.Properties?.ServiceName);
  if (explicit) return explicit;
  const name = resourceName(stack, logicalId, resource);
  return name.includes('/') ? name.replace(/(\/Service)+$/, '') : name;
}

function subnetsOf(stack: AssemblyStack, value: unknown): Array<{ kind: string; vpc?: string; az?: string }> {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const subnet = stack.template.Resources?.[referencedId(entry) ?? ''];
    return {
      kind:
        tagValue(subnet, 'aws-cdk:subnet-type') ??
        (subnet?.Properties?.MapPublicIpOnLaunch === true ? 'Public' : 'Private'),
      vpc: referencedId(subnet?.Properties?.VpcId),
      az: literalString(subnet?.Properties?.AvailabilityZone),
    };
  });
}

function single<T>(values: readonly T[]): T | undefined {
  const unique = [...new Set(values)];
  return unique.length === 1 ? unique[0] : undefined;
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

function conditionText(conditions: unknown): string {
  if (!Array.isArray(conditions)) return '';
  return conditions
    .map((condition: any) => {
      const values =
        condition?.PathPatternConfig?.Values ??
        condition?.HostHeaderConfig?.Values ??
        condition?.HttpHeaderConfig?.Values ??
        condition?.Values ??
        [];
      return (Array.isArray(values) ? values : []).map((value: unknown) => literalString(value) ?? '…').join(', ');
    })
    .filter((text) => text !== '')
    .join(' + ');
}

function forwardTargets(action: any): string[] {
  if (action?.Type !== 'forward') return [];
  const direct = referencedId(action.TargetGroupArn);
  const weighted = Array.isArray(action.ForwardConfig?.TargetGroups)
    ? action.ForwardConfig.TargetGroups.map((group: any) => referencedId(group?.TargetGroupArn))
    : [];
  return [direct, ...weighted].filter((id): id is string => id !== undefined);
}

/** Read the architecture of one Stage from its synthesized templates. */
export function readEnvironmentArchitecture(section: AssemblySection): EnvironmentArchitecture {
  const vpcs: VpcView[] = [];
  const loadBalancers: LoadBalancerView[] = [];
  const httpApis: HttpApiView[] = [];
  const services: ServiceView[] = [];
  const alarmGroups = new Map<string, { alarms: string[]; topics: string[] }>();

  section.stacks.forEach((stack, stackIndex) => {
    const resources = stack.template.Resources ?? {};
    const entries = sortedResources(stack);
    const ofType = (type: string) => entries.filter(([, resource]) => resource.Type === type);

    // Services first: listeners point at them through target groups.
    const serviceByTargetGroup = new Map<string, string>();
    // The HTTP API's integrations point at services through their Cloud Map services.
    const serviceByCloudMapService = new Map<string, string>();
    for (const [id, resource] of ofType('AWS::ECS::Service')) {
      const properties = resource.Properties ?? {};
      const taskDefinition = resources[referencedId(properties.TaskDefinition) ?? ''];
      const counts = taskCounts(resources, id, properties);
      const subnets = subnetsOf(stack, properties.NetworkConfiguration?.AwsvpcConfiguration?.Subnets);
      const serviceKey = key(stackIndex, id);
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
        name: serviceName(stack, id, resource),
        tasks: typeof counts === 'string' ? undefined : counts,
        cpuUnits: literalNumber(taskDefinition?.Properties?.Cpu),
        memoryMiB: literalNumber(taskDefinition?.Properties?.Memory),
        capacity: capacityLabel(resources, properties),
        discoveryNames: discoveryNames(resources, properties),
        vpcKey:
          single(subnets.map((subnet) => subnet.vpc)) && key(stackIndex, single(subnets.map((subnet) => subnet.vpc))!),
        subnetKind: single(subnets.map((subnet) => subnet.kind)),
      });
    }

    for (const [id, resource] of ofType('AWS::EC2::VPC')) {
      const subnets = entries.filter(
        ([, candidate]) => candidate.Type === 'AWS::EC2::Subnet' && referencedId(candidate.Properties?.VpcId) === id,
      );
      const kinds = new Map<string, { count: number; azs: Set<string> }>();
      for (const [subnetId] of subnets) {
        const [info] = subnetsOf(stack, [{ Ref: subnetId }]);
        const entry = kinds.get(info.kind) ?? { count: 0, azs: new Set<string>() };
        entry.count += 1;
        if (info.az) entry.azs.add(info.az);
        kinds.set(info.kind, entry);
      }
      const inVpc = (subnetRef: unknown) =>
        referencedId(resources[referencedId(subnetRef) ?? '']?.Properties?.VpcId) === id;
      const natGateways = ofType('AWS::EC2::NatGateway').filter(([, nat]) => inVpc(nat.Properties?.SubnetId));
      const natInstances = ofType('AWS::EC2::Instance').filter(
        ([, instance]) =>
          instance.Properties?.SourceDestCheck === false &&
          inVpc(instance.Properties?.SubnetId ?? instance.Properties?.NetworkInterfaces?.[0]?.SubnetId),
      );
      const nat: Array<{ label: string; count: number }> = [];
      if (natGateways.length > 0) nat.push({ label: 'NAT gateway', count: natGateways.length });
      const instanceTypes = [
        ...new Set(natInstances.map(([, instance]) => literalString(instance.Properties?.InstanceType) ?? '?')),
      ].sort();
      for (const type of instanceTypes) {
        nat.push({
          label: `NAT instance ${type}`,
          count: natInstances.filter(
            ([, instance]) => (literalString(instance.Properties?.InstanceType) ?? '?') === type,
          ).length,
        });
      }
      const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint')
        .filter(
          ([, endpoint]) =>
            endpoint.Properties?.VpcEndpointType === 'Interface' && referencedId(endpoint.Properties?.VpcId) === id,
        )
        .map(([, endpoint]) => endpointName(endpoint.Properties?.ServiceName))
        .sort();
      vpcs.push({
        key: key(stackIndex, id),
        cidr: literalString(resource.Properties?.CidrBlock),
        subnets: [...kinds.entries()]
          .sort(([a], [b]) => subnetOrder(a) - subnetOrder(b))
          .map(([kind, entry]) => ({ kind, count: entry.count, azs: [...entry.azs].sort() })),
        nat,
        interfaceEndpoints,
      });
    }

    for (const [id, resource] of ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
      const properties = resource.Properties ?? {};
      const subnets = subnetsOf(
        stack,
        properties.Subnets ?? (properties.SubnetMappings ?? []).map((mapping: any) => mapping?.SubnetId),
      );
      const listeners: ListenerView[] = ofType('AWS::ElasticLoadBalancingV2::Listener')
        .filter(([, listener]) => referencedId(listener.Properties?.LoadBalancerArn) === id)
        .map(([listenerId, listener]) =>
          readListener(entries, listenerId, listener, serviceByTargetGroup, properties.SecurityGroups),
        )
        .sort((a, b) => Number(a.port) - Number(b.port));
      const vpc = single(subnets.map((subnet) => subnet.vpc));
      loadBalancers.push({
        key: key(stackIndex, id),
        name: resourceName(stack, id, resource),
        type: literalString(properties.Type) === 'network' ? 'Network Load Balancer' : 'Application Load Balancer',
        internetFacing: (literalString(properties.Scheme) ?? 'internet-facing') === 'internet-facing',
        vpcKey: vpc && key(stackIndex, vpc),
        subnetKind: single(subnets.map((subnet) => subnet.kind)),
        azCount: subnets.length > 0 ? subnets.length : undefined,
        listeners,
      });
    }

    for (const [id, resource] of ofType('AWS::ApiGatewayV2::Api')) {
      if (resource.Properties?.ProtocolType !== 'HTTP') continue;
      const ofApi = (type: string) =>
        ofType(type).filter(([, candidate]) => referencedId(candidate.Properties?.ApiId) === id);
      const vpcLinks = new Map<string, HttpApiView['vpcLinks'][number]>();
      const routes: Array<HttpApiView['routes'][number]> = [];
      for (const [, route] of ofApi('AWS::ApiGatewayV2::Route')) {
        const routeKey = literalString(route.Properties?.RouteKey) ?? '?';
        for (const integrationId of referencedIds(route.Properties?.Target)) {
          const integration = resources[integrationId];
          if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') continue;
          const serviceKey = serviceByCloudMapService.get(referencedId(integration.Properties?.IntegrationUri) ?? '');
          const linkId =
            integration.Properties?.ConnectionType === 'VPC_LINK'
              ? referencedId(integration.Properties?.ConnectionId)
              : undefined;
          const link = linkId ? resources[linkId] : undefined;
          if (linkId && link?.Type === 'AWS::ApiGatewayV2::VpcLink' && !vpcLinks.has(linkId)) {
            const subnets = subnetsOf(stack, link.Properties?.SubnetIds);
            const vpc = single(subnets.map((subnet) => subnet.vpc));
            vpcLinks.set(linkId, {
              key: key(stackIndex, linkId),
              vpcKey: vpc && key(stackIndex, vpc),
              subnetKind: single(subnets.map((subnet) => subnet.kind)),
              azCount: new Set(subnets.map((subnet) => subnet.az)).size,
            });
          }
          if (serviceKey) routes.push({ routeKey, vpcLinkKey: linkId && vpcLinks.get(linkId)?.key, serviceKey });
        }
      }
      const domains = ofApi('AWS::ApiGatewayV2::ApiMapping')
        .map(
          ([, mapping]) =>
            literalString(resources[referencedId(mapping.Properties?.DomainName) ?? '']?.Properties?.DomainName) ??
            literalString(mapping.Properties?.DomainName),
        )
        .filter((domain): domain is string => domain !== undefined)
        .sort(compare);
      const throttles = ofApi('AWS::ApiGatewayV2::Stage')
        .map(([, stage]) => stage.Properties?.DefaultRouteSettings)
        .filter((settings) => literalNumber(settings?.ThrottlingRateLimit) !== undefined)
        .map(
          (settings) =>
            `${literalNumber(settings.ThrottlingRateLimit)}/s${literalNumber(settings.ThrottlingBurstLimit) !== undefined ? `, burst ${literalNumber(settings.ThrottlingBurstLimit)}` : ''}`,
        );
      httpApis.push({
        key: key(stackIndex, id),
        name: literalString(resource.Properties?.Name) ?? resourceName(stack, id, resource),
        domains,
        executeApiEndpoint: resource.Properties?.DisableExecuteApiEndpoint !== true,
        throttle: single(throttles),
        vpcLinks: [...vpcLinks.values()],
        routes: routes.sort((a, b) => compare(a.routeKey, b.routeKey)),
      });
    }

    for (const [id, resource] of ofType('AWS::CloudWatch::Alarm')) {
      const topics = [...referencedIds(resource.Properties?.AlarmActions)]
        .filter((target) => resources[target]?.Type === 'AWS::SNS::Topic')
        .map((target) => topicLabel(stack, resources, target))
        .sort();
      const groupKey = topics.join('|');
      const group = alarmGroups.get(groupKey) ?? { alarms: [], topics };
      group.alarms.push(alarmLabel(stack, id, resource));
      alarmGroups.set(groupKey, group);
    }
  });

  return {
    name: section.name,
    vpcs,
    loadBalancers,
    httpApis,
    services: services.sort((a, b) => compare(a.name, b.name)),
    alarmGroups: [...alarmGroups.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([, group], index) => ({
        key: `alarms_${index}`,
        alarms: group.alarms.sort(compare),
        topics: group.topics,
      })),
  };
}

function readListener(
  entries: ReadonlyArray<[string, TemplateResource]>,
  listenerId: string,
  listener: TemplateResource,
  serviceByTargetGroup: ReadonlyMap<string, string>,
  loadBalancerSecurityGroups: unknown,
): ListenerView {
  const properties = listener.Properties ?? {};
  const defaultActions: any[] = Array.isArray(properties.DefaultActions) ? properties.DefaultActions : [];
  const redirect = defaultActions.find((action) => action?.Type === 'redirect')?.RedirectConfig;
  const rules = entries
    .filter(
      ([, rule]) =>
        rule.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' &&
        referencedId(rule.Properties?.ListenerArn) === listenerId,
    )
    .map(([, rule]) => rule.Properties ?? {})
    .sort((a, b) => (literalNumber(a.Priority) ?? 0) - (literalNumber(b.Priority) ?? 0));
  const routes: Array<{ condition: string; serviceKey: string }> = [];
  for (const rule of rules) {
    const condition = conditionText(rule.Conditions);
    for (const action of Array.isArray(rule.Actions) ? rule.Actions : []) {
      for (const targetGroup of forwardTargets(action)) {
        const serviceKey = serviceByTargetGroup.get(targetGroup);
        if (serviceKey) routes.push({ condition, serviceKey });
      }
    }
  }
  for (const action of defaultActions) {
    for (const targetGroup of forwardTargets(action)) {
      const serviceKey = serviceByTargetGroup.get(targetGroup);
      if (serviceKey) routes.push({ condition: 'default', serviceKey });
    }
  }
  return {
    port: literalNumber(properties.Port) ?? '?',
    openToInternet: openToInternet(entries, loadBalancerSecurityGroups, literalNumber(properties.Port)),
    protocol: literalString(properties.Protocol) ?? (Array.isArray(properties.Certificates) ? 'HTTPS' : 'HTTP'),
    redirect: redirect
      ? `redirect to ${literalString(redirect.Protocol) ?? '#{protocol}'}:${literalString(redirect.Port) ?? literalNumber(redirect.Port) ?? '#{port}'}`
      : undefined,
    routes,
  };
}

/** Whether the security groups admit `port` from anywhere; without security groups in the template, assume so. */
function openToInternet(
  entries: ReadonlyArray<[string, TemplateResource]>,
  securityGroups: unknown,
  port: number | undefined,
): boolean {
  const groupIds = new Set(
    (Array.isArray(securityGroups) ? securityGroups : []).map(referencedId).filter((id) => id !== undefined),
  );
  if (groupIds.size === 0 || port === undefined) return true;
  const rules: any[] = [
    ...entries
      .filter(([id, resource]) => resource.Type === 'AWS::EC2::SecurityGroup' && groupIds.has(id))
      .flatMap(([, resource]) =>
        Array.isArray(resource.Properties?.SecurityGroupIngress) ? resource.Properties.SecurityGroupIngress : [],
      ),
    ...entries
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::EC2::SecurityGroupIngress' &&
          groupIds.has(referencedId(resource.Properties?.GroupId) ?? ''),
      )
      .map(([, resource]) => resource.Properties ?? {}),
  ];
  return rules.some(
    (rule) =>
      (rule?.CidrIp === '0.0.0.0/0' || rule?.CidrIpv6 === '::/0') &&
      (literalNumber(rule.FromPort) ?? 0) <= port &&
      port <= (literalNumber(rule.ToPort) ?? 65535),
  );
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

function endpointName(value: unknown): string {
  const literal = literalString(value);
  if (literal) return literal.replace(/^com\.amazonaws\.[a-z0-9-]+\./, '');
  const parts = (value as any)?.['Fn::Join']?.[1];
  const last = Array.isArray(parts) ? literalString(parts[parts.length - 1]) : undefined;
  return last ? last.replace(/^\./, '') : 'endpoint';
}

function topicLabel(
  stack: AssemblyStack,
  resources: Readonly<Record<string, TemplateResource>>,
  topicId: string,
): string {
  const topic = resources[topicId];
  const protocols = Object.values(resources)
    .filter(
      (candidate) =>
        candidate.Type === 'AWS::SNS::Subscription' && referencedId(candidate.Properties?.TopicArn) === topicId,
    )
    .map((subscription) => literalString(subscription.Properties?.Protocol) ?? '?');
  for (const inline of Array.isArray(topic?.Properties?.Subscription) ? topic!.Properties!.Subscription : []) {
    protocols.push(literalString(inline?.Protocol) ?? '?');
  }
  const name = literalString(topic?.Properties?.TopicName) ?? resourceName(stack, topicId, topic);
  const unique = [...new Set(protocols)].sort();
  return unique.length > 0 ? `${name} (${unique.join(', ')})` : name;
}

function alarmLabel(stack: AssemblyStack, id: string, resource: TemplateResource): string {
  return literalString(resource.Properties?.AlarmName) ?? resourceName(stack, id, resource);
}

function subnetOrder(kind: string): number {
  const order = ['Public', 'Private', 'Isolated'].indexOf(kind);
  return order < 0 ? 99 : order;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
