import { nodeKey, ofType, single, StackScope, subnetsOf, vpcKeyOf } from './stack-scope';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import { literalNumber, literalString, referencedId, resourceName } from '../../assembly/template-values';

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

/** Read the load balancers of one stack, each with its listeners and the services they route to. */
export function readLoadBalancers(
  scope: StackScope,
  serviceByTargetGroup: ReadonlyMap<string, string>,
): LoadBalancerView[] {
  return ofType(scope, 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(([id, resource]) => {
    const properties = resource.Properties ?? {};
    const subnets = subnetsOf(
      scope,
      properties.Subnets ?? (properties.SubnetMappings ?? []).map((mapping: any) => mapping?.SubnetId),
    );
    const listeners: ListenerView[] = ofType(scope, 'AWS::ElasticLoadBalancingV2::Listener')
      .filter(([, listener]) => referencedId(listener.Properties?.LoadBalancerArn) === id)
      .map(([listenerId, listener]) =>
        readListener(scope, listenerId, listener, serviceByTargetGroup, properties.SecurityGroups),
      )
      .sort((a, b) => Number(a.port) - Number(b.port));
    return {
      key: nodeKey(scope, id),
      name: resourceName(scope.stack, id, resource),
      type: literalString(properties.Type) === 'network' ? 'Network Load Balancer' : 'Application Load Balancer',
      internetFacing: (literalString(properties.Scheme) ?? 'internet-facing') === 'internet-facing',
      vpcKey: vpcKeyOf(scope, subnets),
      subnetKind: single(subnets.map((subnet) => subnet.kind)),
      azCount: subnets.length > 0 ? subnets.length : undefined,
      listeners,
    };
  });
}

function readListener(
  scope: StackScope,
  listenerId: string,
  listener: TemplateResource,
  serviceByTargetGroup: ReadonlyMap<string, string>,
  loadBalancerSecurityGroups: unknown,
): ListenerView {
  const properties = listener.Properties ?? {};
  const defaultActions: any[] = Array.isArray(properties.DefaultActions) ? properties.DefaultActions : [];
  const redirect = defaultActions.find((action) => action?.Type === 'redirect')?.RedirectConfig;
  const rules = scope.entries
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
    openToInternet: openToInternet(scope, loadBalancerSecurityGroups, literalNumber(properties.Port)),
    protocol: literalString(properties.Protocol) ?? (Array.isArray(properties.Certificates) ? 'HTTPS' : 'HTTP'),
    redirect: redirect
      ? `redirect to ${literalString(redirect.Protocol) ?? '#{protocol}'}:${literalString(redirect.Port) ?? literalNumber(redirect.Port) ?? '#{port}'}`
      : undefined,
    routes,
  };
}

/** Whether the security groups admit `port` from anywhere; without security groups in the template, assume so. */
function openToInternet(scope: StackScope, securityGroups: unknown, port: number | undefined): boolean {
  const groupIds = new Set(
    (Array.isArray(securityGroups) ? securityGroups : []).map(referencedId).filter((id) => id !== undefined),
  );
  if (groupIds.size === 0 || port === undefined) return true;
  const rules: any[] = [
    ...scope.entries
      .filter(([id, resource]) => resource.Type === 'AWS::EC2::SecurityGroup' && groupIds.has(id))
      .flatMap(([, resource]) =>
        Array.isArray(resource.Properties?.SecurityGroupIngress) ? resource.Properties.SecurityGroupIngress : [],
      ),
    ...scope.entries
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
