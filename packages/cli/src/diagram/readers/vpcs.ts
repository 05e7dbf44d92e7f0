import { nodeKey, ofType, StackScope, subnetsOf } from './stack-scope';
import { interfaceEndpointName, literalString, referencedId } from '../../assembly/template-values';

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

/** Read the VPCs of one stack: subnet groups, NAT, interface endpoints. */
export function readVpcs(scope: StackScope): VpcView[] {
  const { resources } = scope;
  const vpcs: VpcView[] = [];
  for (const [id, resource] of ofType(scope, 'AWS::EC2::VPC')) {
    const subnets = ofType(scope, 'AWS::EC2::Subnet').filter(
      ([, candidate]) => referencedId(candidate.Properties?.VpcId) === id,
    );
    const kinds = new Map<string, { count: number; azs: Set<string> }>();
    for (const [subnetId] of subnets) {
      const [info] = subnetsOf(scope, [{ Ref: subnetId }]);
      const entry = kinds.get(info.kind) ?? { count: 0, azs: new Set<string>() };
      entry.count += 1;
      if (info.az) entry.azs.add(info.az);
      kinds.set(info.kind, entry);
    }
    const inVpc = (subnetRef: unknown) =>
      referencedId(resources[referencedId(subnetRef) ?? '']?.Properties?.VpcId) === id;
    const natGateways = ofType(scope, 'AWS::EC2::NatGateway').filter(([, nat]) => inVpc(nat.Properties?.SubnetId));
    const natInstances = ofType(scope, 'AWS::EC2::Instance').filter(
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
        count: natInstances.filter(([, instance]) => (literalString(instance.Properties?.InstanceType) ?? '?') === type)
          .length,
      });
    }
    const interfaceEndpoints = ofType(scope, 'AWS::EC2::VPCEndpoint')
      .filter(
        ([, endpoint]) =>
          endpoint.Properties?.VpcEndpointType === 'Interface' && referencedId(endpoint.Properties?.VpcId) === id,
      )
      .map(([, endpoint]) => interfaceEndpointName(endpoint.Properties?.ServiceName, 'endpoint'))
      .sort();
    vpcs.push({
      key: nodeKey(scope, id),
      cidr: literalString(resource.Properties?.CidrBlock),
      subnets: [...kinds.entries()]
        .sort(([a], [b]) => subnetOrder(a) - subnetOrder(b))
        .map(([kind, entry]) => ({ kind, count: entry.count, azs: [...entry.azs].sort() })),
      nat,
      interfaceEndpoints,
    });
  }
  return vpcs;
}

function subnetOrder(kind: string): number {
  const order = ['Public', 'Private', 'Isolated'].indexOf(kind);
  return order < 0 ? 99 : order;
}
