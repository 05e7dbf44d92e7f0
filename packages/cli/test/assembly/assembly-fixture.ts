import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Manifest } from 'aws-cdk-lib/cloud-assembly-schema';

const created: string[] = [];

/** The cloud assembly schema version the installed aws-cdk-lib writes (and so reads at most). */
export const SCHEMA_VERSION = Manifest.version();

/** Delete every assembly written so far (for `afterAll`). */
export function removeAssemblies(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Stacks by artifact id: each a template and, optionally, its environment, display name and asset
 * manifest (`<id>.assets.json`, an artifact the stack depends on, as CDK's default synthesizer writes it).
 */
export type FixtureStacks = Record<
  string,
  {
    readonly template: object;
    readonly environment?: string;
    readonly displayName?: string;
    readonly assets?: { readonly dockerImages?: Record<string, object>; readonly files?: Record<string, object> };
  }
>;

/**
 * Write a cloud assembly as `cdk synth` lays it out: manifest.json with stack
 * artifacts, and one nested assembly directory per Stage. Returns the directory.
 */
export function writeAssembly(layout: {
  readonly stages?: Record<string, FixtureStacks>;
  readonly stacks?: FixtureStacks;
}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-assembly-'));
  created.push(root);
  const artifacts: Record<string, object> = {};
  for (const [stage, stacks] of Object.entries(layout.stages ?? {})) {
    const directoryName = `assembly-${stage}`;
    artifacts[directoryName] = { type: 'cdk:cloud-assembly', properties: { directoryName, displayName: stage } };
    writeManifest(path.join(root, directoryName), stacks, stage);
  }
  writeManifest(root, layout.stacks ?? {}, undefined, artifacts);
  return root;
}

function writeManifest(
  dir: string,
  stacks: FixtureStacks,
  stage: string | undefined,
  extra: Record<string, object> = {},
) {
  fs.mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, object> = { ...extra };
  for (const [id, stack] of Object.entries(stacks)) {
    const templateFile = `${id}.template.json`;
    fs.writeFileSync(path.join(dir, templateFile), JSON.stringify(stack.template, null, 1));
    const dependencies: string[] = [];
    if (stack.assets) {
      const file = `${id}.assets.json`;
      fs.writeFileSync(path.join(dir, file), JSON.stringify({ version: SCHEMA_VERSION, ...stack.assets }, null, 1));
      artifacts[`${id}.assets`] = { type: 'cdk:asset-manifest', properties: { file } };
      dependencies.push(`${id}.assets`);
    }
    artifacts[id] = {
      type: 'aws:cloudformation:stack',
      environment: stack.environment ?? 'aws://111111111111/us-east-1',
      properties: { templateFile },
      dependencies,
      displayName: stack.displayName ?? (stage ? `${stage}/${id}` : id),
    };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: SCHEMA_VERSION, artifacts }, null, 1));
}

/** A template of `resources`. */
export function template(resources: Record<string, object>): object {
  return { Resources: resources };
}

/** An awsvpc Fargate service pieces: cluster, task definition with awslogs, log group, service. */
export function fargateService(
  name: string,
  options: { cpu: string; memory: string; service: object; logRetentionDays?: number },
): Record<string, object> {
  return {
    [`${name}Logs`]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: options.logRetentionDays ? { RetentionInDays: options.logRetentionDays } : {},
    },
    [`${name}TaskDef`]: {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        Cpu: options.cpu,
        Memory: options.memory,
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        ContainerDefinitions: [
          {
            Name: 'app',
            LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-group': { Ref: `${name}Logs` } } },
          },
        ],
      },
    },
    [`${name}Service`]: {
      Type: 'AWS::ECS::Service',
      Properties: { Cluster: { Ref: 'Cluster' }, TaskDefinition: { Ref: `${name}TaskDef` }, ...options.service },
    },
  };
}
