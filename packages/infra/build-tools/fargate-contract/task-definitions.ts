import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetManifestArtifact, CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

/** One container of a task definition as CloudFormation would create it, with where its image is built. */
export interface ContainerUnderTest {
  /** `<stack name>/<task definition logical id>/<container name>`, for messages. */
  readonly id: string;
  readonly stackName: string;
  readonly containerName: string;
  /** The task definition's `ContainerDefinitions` entry, as synthesized. */
  readonly definition: ContainerDefinition;
  /** The staged Docker build context in the cloud assembly. */
  readonly contextDir: string;
  /** The Dockerfile, relative to the context. */
  readonly dockerfile: string;
  /** Build arguments of the image asset. */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** What fronts the container: the target group's health check, the API routes that reach it, or nothing. */
  readonly ingress: IngressCheck;
}

/** How traffic decides the container is healthy. */
export type IngressCheck =
  | { readonly kind: 'target-group'; readonly path: string; readonly port: number; readonly matcher: string }
  | { readonly kind: 'http-api'; readonly paths: readonly string[]; readonly port: number }
  | { readonly kind: 'none' };

/** The parts of `AWS::ECS::TaskDefinition.ContainerDefinitions[]` the check reads. */
export interface ContainerDefinition {
  readonly Name: string;
  readonly Image: unknown;
  readonly User?: string;
  readonly ReadonlyRootFilesystem?: boolean;
  readonly Environment?: { Name: string; Value: unknown }[];
  readonly Secrets?: { Name: string; ValueFrom: unknown }[];
  readonly MountPoints?: { ContainerPath: string; SourceVolume: string; ReadOnly?: boolean }[];
  readonly PortMappings?: { ContainerPort: number }[];
  readonly HealthCheck?: {
    Command: string[];
    Interval?: number;
    Timeout?: number;
    Retries?: number;
    StartPeriod?: number;
  };
  readonly EntryPoint?: string[];
  readonly Command?: string[];
  readonly WorkingDirectory?: string;
  readonly StopTimeout?: number;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

interface DockerImageAsset {
  readonly source: { directory?: string; dockerFile?: string; dockerBuildArgs?: Record<string, string> };
  readonly destinations: Record<string, { imageTag: string }>;
}

/**
 * Every container of every task definition in a cloud assembly (`cdk.out`), nested Stage assemblies
 * included, each with the Docker image asset it runs and what fronts it.
 */
export function readContainers(assemblyDir: string): ContainerUnderTest[] {
  const assembly = new CloudAssembly(assemblyDir);
  return allStacks(assembly).flatMap(containersOf);
}

function allStacks(assembly: CloudAssembly): CloudFormationStackArtifact[] {
  return [...assembly.stacks, ...assembly.nestedAssemblies.flatMap((nested) => allStacks(nested.nestedAssembly))];
}

function containersOf(stack: CloudFormationStackArtifact): ContainerUnderTest[] {
  const resources: Record<string, Resource> = stack.template.Resources ?? {};
  const images = dockerImages(stack);
  const containers: ContainerUnderTest[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const services = Object.values(resources).filter(
      (candidate) => candidate.Type === 'AWS::ECS::Service' && candidate.Properties?.TaskDefinition?.Ref === logicalId,
    );
    for (const definition of (resource.Properties?.ContainerDefinitions ?? []) as ContainerDefinition[]) {
      const id = `${stack.stackName}/${logicalId}/${definition.Name}`;
      const image = images.find((candidate) => imageReferences(definition.Image, candidate.tags));
      if (!image) {
        throw new Error(
          `${id}: its image ${JSON.stringify(definition.Image)} is not a Docker image asset of ${stack.stackName}; the check runs images built from this repository only.`,
        );
      }
      containers.push({
        id,
        stackName: stack.stackName,
        containerName: definition.Name,
        definition,
        contextDir: image.contextDir,
        dockerfile: image.dockerfile,
        buildArgs: image.buildArgs,
        ingress: ingressOf(resources, services, definition),
      });
    }
  }
  return containers;
}

function dockerImages(stack: CloudFormationStackArtifact) {
  return stack.dependencies
    .filter((dependency): dependency is AssetManifestArtifact => dependency instanceof AssetManifestArtifact)
    .flatMap((manifest) => {
      const contents = JSON.parse(fs.readFileSync(manifest.file, 'utf8')) as {
        dockerImages?: Record<string, DockerImageAsset>;
      };
      return Object.entries(contents.dockerImages ?? {}).map(([hash, asset]) => ({
        tags: [hash, ...Object.values(asset.destinations).map((destination) => destination.imageTag)],
        contextDir: path.resolve(path.dirname(manifest.file), asset.source.directory ?? '.'),
        dockerfile: asset.source.dockerFile ?? 'Dockerfile',
        buildArgs: asset.source.dockerBuildArgs ?? {},
      }));
    });
}

/** An ECS image reference (`…/repository:<tag>`, often inside `Fn::Sub`) names one of the asset's tags. */
function imageReferences(image: unknown, tags: readonly string[]): boolean {
  const text = JSON.stringify(image);
  return tags.some((tag) => text.includes(`:${tag}"`) || text.includes(`:${tag}\\"`));
}

function ingressOf(
  resources: Record<string, Resource>,
  services: Resource[],
  definition: ContainerDefinition,
): IngressCheck {
  const port = definition.PortMappings?.[0]?.ContainerPort ?? 0;
  for (const service of services) {
    const balancer = (service.Properties?.LoadBalancers ?? []).find(
      (entry: { ContainerName: string }) => entry.ContainerName === definition.Name,
    );
    const targetGroup = balancer && resources[balancer.TargetGroupArn?.Ref];
    if (targetGroup) {
      const properties = targetGroup.Properties ?? {};
      return {
        kind: 'target-group',
        // ELB's defaults when the properties are absent.
        path: properties.HealthCheckPath ?? '/',
        port: balancer.ContainerPort ?? port,
        matcher: properties.Matcher?.HttpCode ?? '200',
      };
    }
  }
  // An API Gateway HTTP API reaching the service through its Cloud Map service (VPC link integration).
  const registries = services.flatMap((service) => service.Properties?.ServiceRegistries ?? []);
  const cloudMapIds = registries
    .map((registry: { RegistryArn?: { 'Fn::GetAtt'?: [string, string] } }) => registry.RegistryArn?.['Fn::GetAtt']?.[0])
    .filter((id): id is string => !!id);
  const integrations = Object.entries(resources)
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::ApiGatewayV2::Integration' &&
        cloudMapIds.includes(resource.Properties?.IntegrationUri?.['Fn::GetAtt']?.[0]),
    )
    .map(([id]) => id);
  const routeKeys = Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::ApiGatewayV2::Route' &&
        integrations.some((id) => JSON.stringify(resource.Properties?.Target ?? '').includes(`"Ref":"${id}"`)),
    )
    .map((resource) => String(resource.Properties?.RouteKey));
  if (routeKeys.length > 0) return { kind: 'http-api', paths: routeKeys.map(concretePath).sort(), port };
  return { kind: 'none' };
}

/**
 * A path a request on the route reaches the service with: `$default` -> `/`, `ANY /api` -> `/api`,
 * `ANY /api/{proxy+}` -> `/api/` plus a segment no app defines.
 */
function concretePath(routeKey: string): string {
  if (routeKey === '$default') return '/';
  const route = routeKey.replace(/^\S+\s+/, '');
  return route.replace(/\{[^}]+\+\}$/, 'fargate-contract-check').replace(/\{[^}]+\}/g, 'x');
}
