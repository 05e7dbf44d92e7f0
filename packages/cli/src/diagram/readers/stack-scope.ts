import type { AssemblyStack, TemplateResource } from '../../assembly/cloud-assembly';
import { literalString, referencedId, sortedResources, tagValue } from '../../assembly/template-values';

/** One stack of a Stage as the readers see it: its resources, sorted, and the key prefix of its nodes. */
export interface StackScope {
  readonly stack: AssemblyStack;
  readonly stackIndex: number;
  /** The template's resources by logical id. */
  readonly resources: Readonly<Record<string, TemplateResource>>;
  /** The resources sorted by logical id, so every diagram comes out the same. */
  readonly entries: ReadonlyArray<[string, TemplateResource]>;
}

/** The scope of the `stackIndex`th stack of a Stage. */
export function stackScope(stack: AssemblyStack, stackIndex: number): StackScope {
  return { stack, stackIndex, resources: stack.template.Resources ?? {}, entries: sortedResources(stack) };
}

/** The scope's resources of one CloudFormation type, in logical-id order. */
export function ofType(scope: StackScope, type: string): Array<[string, TemplateResource]> {
  return scope.entries.filter(([, resource]) => resource.Type === type);
}

/** The Mermaid node key of a resource: unique across the Stage's stacks. */
export function nodeKey(scope: StackScope, logicalId: string): string {
  return `s${scope.stackIndex}_${logicalId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A subnet as the diagram places things in it. */
export interface SubnetPlacement {
  /** `Public`, `Private` or `Isolated`. */
  readonly kind: string;
  /** The VPC's logical id. */
  readonly vpc?: string;
  readonly az?: string;
}

/** Where each of a list of subnet references sits: its kind (CDK's subnet-type tag), VPC and AZ. */
export function subnetsOf(scope: StackScope, value: unknown): SubnetPlacement[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const subnet = scope.resources[referencedId(entry) ?? ''];
    return {
      kind:
        tagValue(subnet, 'aws-cdk:subnet-type') ??
        (subnet?.Properties?.MapPublicIpOnLaunch === true ? 'Public' : 'Private'),
      vpc: referencedId(subnet?.Properties?.VpcId),
      az: literalString(subnet?.Properties?.AvailabilityZone),
    };
  });
}

/** The one value all of `values` share, or undefined when they differ or there are none. */
export function single<T>(values: readonly T[]): T | undefined {
  const unique = [...new Set(values)];
  return unique.length === 1 ? unique[0] : undefined;
}

/** The node key of the one VPC all `subnets` are in, if they are in one. */
export function vpcKeyOf(scope: StackScope, subnets: readonly SubnetPlacement[]): string | undefined {
  const vpc = single(subnets.map((subnet) => subnet.vpc));
  return vpc && nodeKey(scope, vpc);
}

/** Code-unit order, the same on every machine (no locale). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
