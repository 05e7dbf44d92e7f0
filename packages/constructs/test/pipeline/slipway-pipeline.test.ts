import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import {
  CONNECTION_ARN,
  environment,
  FakeApplicationStage,
  PIPELINE_ACCOUNT,
  pipelineApp,
  SETTINGS,
  VERIFY_BUNDLE,
} from './fixtures';
import { SlipwayConfigError } from '../../src/config/slipway-config-error';
import { CDK_ASSETS_VERSION, CDK_CLI_VERSION } from '../../src/pipeline/cdk-tool-versions';
import { definePipeline } from '../../src/pipeline/pipeline-settings';
import { SlipwayPipeline } from '../../src/pipeline/slipway-pipeline';
// Generated from packages/projen/src/versions.ts (packages/projen/test/versions.test.ts checks the copy).

interface PipelineAction {
  readonly Name: string;
  readonly ActionTypeId: { Category: string; Provider: string };
  readonly RunOrder: number;
  readonly Configuration?: Record<string, unknown>;
}
interface PipelineStage {
  readonly Name: string;
  readonly Actions: PipelineAction[];
}

function stagesOf(template: Template): PipelineStage[] {
  const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  expect(pipelines).toHaveLength(1);
  return pipelines[0].Properties.Stages;
}

function stageNamed(template: Template, name: string): PipelineStage {
  const stage = stagesOf(template).find((candidate) => candidate.Name === name);
  if (!stage) throw new Error(`no pipeline stage ${name}`);
  return stage;
}

interface BuildSpec {
  phases: Record<string, { commands?: string[]; 'runtime-versions'?: Record<string, string> } | undefined>;
  cache?: { paths: string[] };
  env?: { 'exported-variables'?: string[] };
  artifacts?: Record<string, unknown>;
}

/** The buildspec of the verification step after the pipeline stage `stageName`. */
function verifyBuildSpec(template: Template, stageName: string): BuildSpec {
  const specs = Object.values(template.findResources('AWS::CodeBuild::Project'))
    .map((project) => project.Properties.Source.BuildSpec)
    .filter((spec): spec is string => typeof spec === 'string' && spec.includes(`assembly-Delivery-${stageName}/`));
  expect(specs).toHaveLength(1);
  return JSON.parse(specs[0]) as BuildSpec;
}

function synthesize(app: ReturnType<typeof pipelineApp>) {
  // Synthesizing the App runs both nag packs over every stack, the stages' included; any unacknowledged finding throws.
  const assembly = app.app.synth();
  return Template.fromJSON(assembly.getStackArtifact(app.stack.artifactId).template);
}

describe('dev → prod, prod in another account with approval', () => {
  let template: Template;
  let built: ReturnType<typeof pipelineApp>;
  beforeAll(() => {
    // GIVEN the promotion order dev, prod
    built = pipelineApp([
      environment('dev', PIPELINE_ACCOUNT),
      { ...environment('prod', '222222222222', true), deployment: { strategy: 'canary' } },
    ]);
    // WHEN
    template = synthesize(built);
  });

  test('is a V2 pipeline that restarts on its own update', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      RestartExecutionOnUpdate: true,
    });
  });

  test('the source is a CodeConnections connection on the configured branch, cloned with its history for CodeBuild', () => {
    const source = stageNamed(template, 'Source');
    expect(source.Actions).toEqual([
      expect.objectContaining({
        ActionTypeId: expect.objectContaining({ Category: 'Source', Provider: 'CodeStarSourceConnection' }),
        Configuration: expect.objectContaining({
          ConnectionArn: CONNECTION_ARN,
          FullRepositoryId: 'acme/shop',
          BranchName: 'release',
          DetectChanges: true,
          // CodeBuild clones the repository (git history included) instead of unpacking a zip without .git.
          OutputArtifactFormat: 'CODEBUILD_CLONE_REF',
        }),
      }),
    ]);
  });

  test("the source action and the clone may use the connection under its ARN's own service prefix", () => {
    // A connection made with `aws codeconnections create-connection` has a codeconnections ARN; IAM matches it only
    // with the codeconnections action, and CDK grants only the codestar-connections one.
    const grants = useConnectionGrants(template);
    expect(Object.keys(grants)).toHaveLength(2);
    for (const actions of Object.values(grants)) {
      expect(actions.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
    }
  });

  test('stages run source, build, self-mutation, assets, then the environments in promotion order', () => {
    expect(stagesOf(template).map((stage) => stage.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Dev', 'Prod']);
  });

  test('the synth step installs from the npm cache, builds, tests and synthesizes, keeping packages/infra/cdk.out', () => {
    const synthProject = Object.values(template.findResources('AWS::CodeBuild::Project')).find((project) =>
      JSON.stringify(project.Properties.Source.BuildSpec).includes('npx projen synth'),
    )!;
    const buildSpec = JSON.parse(synthProject.Properties.Source.BuildSpec);
    expect(buildSpec.phases.install.commands).toEqual([
      'apt-get update -qq && apt-get install -y -qq nginx',
      'npm ci --prefer-offline --no-audit --no-fund',
    ]);
    expect(buildSpec.phases.install['runtime-versions']).toEqual({ nodejs: '24' });
    expect(buildSpec.phases.build.commands).toEqual(['npx projen build', 'npx projen synth']);
    expect(buildSpec.artifacts['base-directory']).toBe('packages/infra/cdk.out');
    // No commit id reaches synth as a variable: each image's commit comes from git (see packages/infra).
    const build = stageNamed(template, 'Build').Actions[0];
    expect(build.Configuration!.EnvironmentVariables ?? '').not.toContain('CommitId');
    // CodeBuild restores ~/.npm from S3 before the build and saves it after (the buildspec's cache paths).
    expect(buildSpec.cache).toEqual({ paths: ['/root/.npm/**/*'] });
    expect(synthProject.Properties.Cache).toEqual({
      Type: 'S3',
      Location: { 'Fn::Join': ['/', [{ Ref: expect.stringMatching(/^PipelineBuildCache/) }, 'synth']] },
    });
  });

  test('self-mutation keeps its npm install in the same cache; the verification steps have nothing to cache', () => {
    const cachePrefixes = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .filter((project) => project.Properties.Cache?.Type === 'S3')
      .map((project) => project.Properties.Cache.Location['Fn::Join'][1][1])
      .sort();
    expect(cachePrefixes).toEqual(['self-mutation', 'synth']);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
    });
  });

  test('prod is preceded by a manual approval: every deploy action of the stage runs after it', () => {
    const prod = stageNamed(template, 'Prod');
    const approvals = prod.Actions.filter((action) => action.ActionTypeId.Category === 'Approval');
    expect(approvals).toHaveLength(1);
    const [approval] = approvals;
    expect(approval.RunOrder).toBe(1);
    expect(prod.Actions.filter((action) => action.RunOrder === approval.RunOrder)).toEqual([approval]);
    const deploys = prod.Actions.filter((action) => action.ActionTypeId.Provider === 'CloudFormation');
    expect(deploys.length).toBeGreaterThan(0);
    for (const deploy of deploys) expect(deploy.RunOrder).toBeGreaterThan(approval.RunOrder);
  });

  test('dev deploys without approval', () => {
    expect(stageNamed(template, 'Dev').Actions.filter((action) => action.ActionTypeId.Category === 'Approval')).toEqual(
      [],
    );
  });

  test("the approval comment names the commit, dev's verified URL and result, and where to look; the review link is dev's URL", () => {
    const approval = stageNamed(template, 'Prod').Actions.find(
      (action) => action.ActionTypeId.Category === 'Approval',
    )!;
    const comment = approval.Configuration!.CustomData as string;
    expect(comment).toContain(
      'Promote commit #{Source@acme_shop.CommitId} of acme/shop@release to prod (account 222222222222, eu-west-1).',
    );
    expect(comment).toContain('dev is running it and passed verification: #{Dev@Verify.SLIPWAY_VERIFICATION}');
    expect(comment).toContain('Try it at #{Dev@Verify.SLIPWAY_VERIFIED_URL} before approving.');
    expect(comment).toContain(
      'the Verify action of the Dev stage in this pipeline, and `npx slipway status --env dev`',
    );
    expect(approval.Configuration!.ExternalEntityLink).toBe('#{Dev@Verify.SLIPWAY_VERIFIED_URL}');
    expect(approval.Configuration!.NotificationArn).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'releases@example.org' });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test.each(['Dev', 'Prod'])(
    '%s is followed by a verification action that runs slipway verify against its outputs',
    (name) => {
      const stage = stageNamed(template, name);
      const verify = stage.Actions.find((action) => action.Name === 'Verify')!;
      expect(verify.ActionTypeId.Provider).toBe('CodeBuild');
      for (const other of stage.Actions.filter((action) => action !== verify)) {
        expect(verify.RunOrder).toBeGreaterThan(other.RunOrder);
      }
      const variables = JSON.parse(verify.Configuration!.EnvironmentVariables as string) as {
        name: string;
        value: string;
      }[];
      const byName = Object.fromEntries(variables.map((variable) => [variable.name, variable.value]));
      // Stack outputs reach the step as the deploy action's variables: #{<stack artifact id>.<output>}.
      const namespace = `Delivery${name}Application[0-9A-F]{8}`;
      expect(byName.SLIPWAY_URL).toMatch(new RegExp(`^#\\{${namespace}\\.Url\\}$`));
      expect(byName.SLIPWAY_CLUSTER).toMatch(new RegExp(`^#\\{${namespace}\\.ClusterName\\}$`));
      expect(byName.SLIPWAY_SERVICE_BACKEND).toMatch(new RegExp(`^#\\{${namespace}\\.backendServiceName\\}$`));
      expect(byName.SLIPWAY_SERVICE_FRONTEND).toMatch(new RegExp(`^#\\{${namespace}\\.frontendServiceName\\}$`));
      // The commit /api/version must report is the backend image's, read from the cloud assembly at run time.
      expect(byName.SLIPWAY_COMMIT).toBeUndefined();
      // The step's input is the synth output (the cloud assembly), not the source: it carries the CLI bundle.
      expect(verify).toEqual(expect.objectContaining({ InputArtifacts: [{ Name: 'Synth_Output' }] }));
    },
  );

  test.each(['Dev', 'Prod'])(
    '%s: the verification buildspec installs nothing and runs the bundled CLI with node',
    (name) => {
      const buildSpec = verifyBuildSpec(template, name);
      const stage = built.stages.find((candidate) => candidate.stageName === name)!;
      const stageTemplate = `${stage.artifactId}/${Stack.of(stage.deployment.url).templateFile}`;
      expect(buildSpec.phases.install?.commands).toBeUndefined();
      expect(buildSpec.phases.pre_build?.commands).toBeUndefined();
      expect(JSON.stringify(buildSpec)).not.toMatch(/npm |npx |yarn |pnpm |pip |apt-get/);
      expect(buildSpec.phases.build!.commands!.filter((command) => command.includes('verify --'))).toEqual([
        `AWS_PROFILE=slipway-verify node slipway-verify.js verify --region eu-west-1 --cluster "$SLIPWAY_CLUSTER" --service "$SLIPWAY_SERVICE_BACKEND" --service "$SLIPWAY_SERVICE_FRONTEND" --url "$SLIPWAY_URL" --template ${stageTemplate} --version-service "$SLIPWAY_SERVICE_BACKEND" --timeout 900 --summary-file slipway-verify.txt`,
      ]);
      expect(stageTemplate).toMatch(
        new RegExp(`^assembly-Delivery-${name}/Delivery${name}Application[0-9A-F]{8}\\.template\\.json$`),
      );
    },
  );

  test("the cloud assembly carries the CLI bundle and each stage's template the verification names", () => {
    const outdir = built.app.outdir;
    const bundle = path.join(outdir, 'slipway-verify.js');
    expect(existsSync(bundle)).toBe(true);
    // Byte for byte the file passed as verifyBundle (packages/infra's test checks it is @slipway/cli's real bundle).
    expect(readFileSync(bundle, 'utf8')).toBe(readFileSync(VERIFY_BUNDLE, 'utf8'));
    expect(readFileSync(bundle, 'utf8')).toContain('slipway verify');
    for (const stage of built.stages) {
      const stageTemplate = path.join(outdir, stage.artifactId, Stack.of(stage.deployment.url).templateFile);
      expect(existsSync(stageTemplate)).toBe(true);
    }
  });

  test("the verification step assumes only its environment's verification role and runs the CLI with bounded waits", () => {
    const buildSpec = verifyBuildSpec(template, 'Prod');
    expect(buildSpec.phases.build!.commands!.join('\n')).toMatch(/ --timeout 900 --summary-file slipway-verify\.txt$/m);
    expect(buildSpec.env!['exported-variables']).toEqual(['SLIPWAY_VERIFIED_URL', 'SLIPWAY_VERIFICATION']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/Prod-Application-eu-west-1-verify'],
              ],
            },
          },
        ]),
      },
    });
  });

  test("each verification build outlasts verify's own waits: a canary release's planned minutes are added", () => {
    // verify waits up to --timeout (15 min) for the rollout, extended by the release's planned wait (prod: a 5-minute
    // canary and 10 minutes of bake time), then smoke-tests for up to 3 minutes: the build must not end first.
    const timeouts = Object.fromEntries(
      Object.values(template.findResources('AWS::CodeBuild::Project'))
        .filter((project) => String(project.Properties.Source.BuildSpec).includes('slipway-verify.js verify'))
        .map((project) => [
          String(project.Properties.Source.BuildSpec).match(/assembly-Delivery-(\w+)\//)![1],
          project.Properties.TimeoutInMinutes,
        ]),
    );
    expect(timeouts).toEqual({ Dev: 15 + 15, Prod: 15 + 5 + 10 + 15 });
  });

  test('with an environment in another account, artifacts use a customer-managed key with rotation', () => {
    expect(built.pipeline.crossAccount).toBe(true);
    template.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });
});

const FAILED = 'codepipeline-pipeline-pipeline-execution-failed';
const SUCCEEDED = 'codepipeline-pipeline-pipeline-execution-succeeded';

/** The properties of the stack's only CodeStar Notifications rule. */
function runNotificationRule(template: Template): Record<string, any> {
  const rules = Object.values(template.findResources('AWS::CodeStarNotifications::NotificationRule'));
  expect(rules).toHaveLength(1);
  return rules[0].Properties;
}

/** The logical id of the one topic in the stack. */
function onlyTopic(template: Template): string {
  const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
  expect(topics).toHaveLength(1);
  return topics[0];
}

describe('the outcomes of a run, with notifyEmail set and the default notifications', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN pipeline.notifyEmail and prod awaiting approval; WHEN synthesized (both nag packs run)
    template = synthesize(
      pipelineApp([environment('dev', PIPELINE_ACCOUNT), environment('prod', '222222222222', true)]),
    );
  });

  test('a CodeStar Notifications rule on the pipeline announces failed and succeeded executions, with full detail', () => {
    const rule = runNotificationRule(template);
    expect(rule.EventTypeIds).toEqual([FAILED, SUCCEEDED]);
    expect(rule.DetailType).toBe('FULL');
    // Unique in the account: named after the stack (packages/infra's app-names test synthesizes two apps).
    expect(rule.Name).toMatch(/^Delivery-Pipeline-[0-9A-F]{8}-runs$/);
    expect(rule.Status ?? 'ENABLED').toBe('ENABLED');
    const [pipelineId] = Object.keys(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(JSON.stringify(rule.Resource)).toContain(`{"Ref":"${pipelineId}"}`);
    expect(JSON.stringify(rule.Resource)).toContain(':codepipeline:');
  });

  test('it publishes to the approval topic of notifyEmail: one encrypted topic, one subscription', () => {
    const topicId = onlyTopic(template);
    expect(runNotificationRule(template).Targets).toEqual([{ TargetType: 'SNS', TargetAddress: { Ref: topicId } }]);
    const approval = stageNamed(template, 'Prod').Actions.find(
      (action) => action.ActionTypeId.Category === 'Approval',
    )!;
    expect(approval.Configuration!.NotificationArn).toEqual({ Ref: topicId });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });

  test("the topic lets CodeStar Notifications publish on this account's behalf only, and still refuses publishing without TLS", () => {
    const topicId = onlyTopic(template);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'CodeStarNotificationsPublish',
            Effect: 'Allow',
            Principal: { Service: 'codestar-notifications.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: { StringEquals: { 'aws:SourceAccount': PIPELINE_ACCOUNT } },
          },
        ]),
      },
    });
  });

  test("the topic's key lets CodeStar Notifications encrypt what it publishes through SNS in the pipeline's region only", () => {
    const topic = template.findResources('AWS::SNS::Topic')[onlyTopic(template)];
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const statements = template.findResources('AWS::KMS::Key')[keyId].Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual({
      Sid: 'CodeStarNotificationsEncrypt',
      Effect: 'Allow',
      Principal: { Service: 'codestar-notifications.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
      },
    });
  });

  test('the rule is created after the policies that let the service deliver', () => {
    const [ruleId] = Object.keys(template.findResources('AWS::CodeStarNotifications::NotificationRule'));
    const dependsOn: string[] = template.toJSON().Resources[ruleId].DependsOn;
    const [policyId] = Object.keys(template.findResources('AWS::SNS::TopicPolicy'));
    const topic = template.findResources('AWS::SNS::Topic')[onlyTopic(template)];
    expect(dependsOn).toEqual(expect.arrayContaining([policyId, topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]]));
  });
});

describe('the outcomes of a run, configured', () => {
  test("notifications.on ['failed'] without any approval: notifyEmail gets its own encrypted topic, told of failures only", () => {
    // GIVEN no environment that asks for approval, and only failures announced
    const built = pipelineApp([environment('dev', PIPELINE_ACCOUNT)], {
      ...SETTINGS,
      notifications: { on: ['failed'] },
    });
    // WHEN
    const template = synthesize(built);
    // THEN
    const topicId = onlyTopic(template);
    expect(runNotificationRule(template)).toMatchObject({
      EventTypeIds: [FAILED],
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: topicId } }],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'releases@example.org' });
    expect(built.pipeline.notificationTopic).toBeDefined();
  });

  test('notifications.on [] announces no outcome; the approval email stays', () => {
    const built = pipelineApp([environment('dev', PIPELINE_ACCOUNT), environment('prod', '222222222222', true)], {
      ...SETTINGS,
      notifications: { on: [] },
    });
    const template = synthesize(built);
    template.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(built.pipeline.runNotifications).toBeUndefined();
  });

  test('without notifyEmail nobody is told: no rule, no topic', () => {
    const built = pipelineApp([environment('dev', PIPELINE_ACCOUNT)], { ...SETTINGS, notifyEmail: undefined });
    const template = synthesize(built);
    template.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });
});

describe('a stage with a Docker image asset', () => {
  test("publishes images from a buildspec in the cloud assembly, so the pipeline stack never names an image's hash", () => {
    // GIVEN a Docker image asset in each stage's stack
    const context = mkdtempSync(path.join(tmpdir(), 'slipway-image-'));
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY app.txt /\n');
    writeFileSync(path.join(context, 'app.txt'), 'version 1\n');
    const built = pipelineApp(
      [environment('dev', PIPELINE_ACCOUNT), environment('prod', '222222222222', true)],
      SETTINGS,
      (stack) => new ecrAssets.DockerImageAsset(stack, 'Image', { directory: context }),
    );
    // WHEN synthesized
    const assembly = built.app.synth();
    const pipelineTemplate = readFileSync(path.join(assembly.directory, built.stack.templateFile), 'utf8');
    // THEN one Docker publishing step publishes to both accounts; its project reads the buildspec CDK Pipelines
    // wrote into the cloud assembly (CodeBuild's BuildSpec names a file in the input artifact)
    const hash = (built.stages[0].node.findChild('Application').node.findChild('Image') as ecrAssets.DockerImageAsset)
      .assetHash;
    const template = Template.fromJSON(JSON.parse(pipelineTemplate));
    const assets = stageNamed(template, 'Assets').Actions;
    expect(assets.map((action) => action.Name)).toEqual(['DockerAssets']);
    const publisher = Object.values(template.findResources('AWS::CodeBuild::Project')).find(
      (project) =>
        typeof project.Properties.Source.BuildSpec === 'string' &&
        /^buildspec-.*-DockerAsset\.yaml$/.test(project.Properties.Source.BuildSpec),
    )!;
    expect(publisher).toBeDefined();
    const buildSpecFile = publisher.Properties.Source.BuildSpec as string;
    // and its `npm install -g cdk-assets` draws on the npm cache
    expect(publisher.Properties.Cache.Location['Fn::Join'][1][1]).toBe('assets');
    const buildSpec = readFileSync(path.join(assembly.directory, buildSpecFile), 'utf8');
    expect(buildSpec).toContain(`publish \\"${hash}:111111111111-eu-west-1`);
    expect(buildSpec).toContain(`publish \\"${hash}:222222222222-eu-west-1`);
    expect(pipelineTemplate).not.toContain(hash);
  });
});

test('a connection of the old codestar-connections prefix is granted that action alone', () => {
  const oldArn = CONNECTION_ARN.replace(':codeconnections:', ':codestar-connections:');
  const template = synthesize(
    pipelineApp([environment('dev', PIPELINE_ACCOUNT)], definePipeline({ ...SETTINGS, connectionArn: oldArn })),
  );
  const grants = useConnectionGrants(template, oldArn);
  expect(Object.values(grants)).toEqual([
    ['codestar-connections:UseConnection'],
    ['codestar-connections:UseConnection'],
  ]);
});

/** Per policy, the actions it allows on the connection. */
function useConnectionGrants(template: Template, connectionArn = CONNECTION_ARN): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    const statements = policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const actions = statements
      .filter((statement) => statement.Resource === connectionArn)
      .flatMap((statement) => [statement.Action].flat());
    if (actions.length > 0) grants[id] = actions;
  }
  return grants;
}

describe('adding a third environment', () => {
  let template: Template;
  beforeAll(() => {
    const built = pipelineApp([
      environment('dev', PIPELINE_ACCOUNT),
      environment('staging', '333333333333'),
      environment('prod', '222222222222', true),
    ]);
    template = synthesize(built);
  });

  test('adds its stage in promotion order, with its own verification', () => {
    expect(stagesOf(template).map((stage) => stage.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Dev',
      'Staging',
      'Prod',
    ]);
    expect(stageNamed(template, 'Staging').Actions.map((action) => action.Name)).toContain('Verify');
  });

  test("prod's approval now shows what staging verified", () => {
    const approval = stageNamed(template, 'Prod').Actions.find(
      (action) => action.ActionTypeId.Category === 'Approval',
    )!;
    expect(approval.Configuration!.CustomData).toContain(
      'staging is running it and passed verification: #{Staging@Verify.SLIPWAY_VERIFICATION}',
    );
    expect(approval.Configuration!.ExternalEntityLink).toBe('#{Staging@Verify.SLIPWAY_VERIFIED_URL}');
  });
});

/**
 * The packages a shell command installs without an exact version: global npm/yarn/pnpm installs,
 * `npm install <package>`, `npx --yes`/`-p` downloads and `pip install`, plus anything `@latest`.
 * `npm ci` and a bare `npm install` install what the lockfile pins. Distribution packages
 * (`apt-get install nginx`) come from the build image's own Ubuntu release, whose archive only
 * ships fixes of the same upstream version; an exact Ubuntu package version would break the
 * build whenever the archive moves on, so they are not pinned.
 */
function unpinnedInstalls(command: string): string[] {
  const exactNpm = /^(@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+(-[\w.]+)?$/;
  const found: string[] = [];
  for (const part of command.split(/&&|\|\||[;|\n]/)) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    const [tool, verb] = words;
    const operands = (from: number) => words.slice(from).filter((word) => !word.startsWith('-'));
    let packages: string[] = [];
    if (tool === 'npm' && ['install', 'i', 'add'].includes(verb)) {
      packages = operands(2);
    } else if ((tool === 'yarn' && verb === 'global') || (tool === 'pnpm' && verb === 'add')) {
      packages = operands(2);
    } else if (tool === 'npx' && words.some((word) => ['-y', '--yes', '-p', '--package'].includes(word))) {
      packages = operands(1).slice(0, 1);
    }
    if (tool === 'yarn' && verb === 'global') packages = packages.filter((word) => word !== 'add');
    found.push(...packages.filter((spec) => !exactNpm.test(spec)));
    if (['pip', 'pip3'].includes(tool) && verb === 'install') {
      found.push(...operands(2).filter((spec) => !/^[\w.-]+==[\w.]+$/.test(spec)));
    }
    found.push(...words.filter((word) => /@latest$/.test(word) && !found.includes(word)));
  }
  return found;
}

describe('the tools the pipeline installs', () => {
  test.each([
    ['npm install -g aws-cdk@2', ['aws-cdk@2']],
    ['npm install -g cdk-assets@latest', ['cdk-assets@latest']],
    ['npm i -g aws-cdk', ['aws-cdk']],
    ['npx --yes cdk-assets publish', ['cdk-assets']],
    ['yarn global add @aws-cdk/cli@^2.1000.0', ['@aws-cdk/cli@^2.1000.0']],
    ['pip install awscli', ['awscli']],
    ['npm install -g aws-cdk@2.1148.1 && npm ci', []],
    ['npm install -g @scope/tool@1.2.3-rc.1', []],
    ['npx projen build', []],
    ['apt-get update -qq && apt-get install -y -qq nginx', []],
  ])('reads %s as installing %j unpinned', (command, unpinned) => {
    expect(unpinnedInstalls(command)).toEqual(unpinned);
  });

  describe('a pipeline whose stages publish a file and a Docker image asset', () => {
    let projects: Array<{ id: string; image: string; buildSpec: any }>;
    beforeAll(() => {
      const context = mkdtempSync(path.join(tmpdir(), 'slipway-pipeline-asset-'));
      writeFileSync(path.join(context, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/node:24-trixie-slim\n');
      writeFileSync(path.join(context, 'data.txt'), 'asset');
      const built = pipelineApp(
        [environment('dev', PIPELINE_ACCOUNT), environment('prod', '222222222222', true)],
        SETTINGS,
        (stack) => {
          new ecrAssets.DockerImageAsset(stack, 'Image', { directory: context });
          new Asset(stack, 'File', { path: path.join(context, 'data.txt') });
        },
      );
      const assembly = built.app.synth();
      const template = Template.fromJSON(assembly.getStackArtifact(built.stack.artifactId).template);
      // The asset-publishing buildspecs live in the cloud assembly (publishAssetsInParallel: false), named
      // from the project; the others are inline.
      const buildSpecOf = (source: string) =>
        JSON.parse(
          source.startsWith('buildspec-') ? readFileSync(path.join(assembly.directory, source), 'utf8') : source,
        );
      projects = Object.entries(template.findResources('AWS::CodeBuild::Project')).map(([id, project]) => ({
        id,
        image: project.Properties.Environment.Image,
        buildSpec: buildSpecOf(project.Properties.Source.BuildSpec),
      }));
    });

    test('has the self-mutation, synth, asset-publishing and verification projects', () => {
      const commands = projects.map((project) => JSON.stringify(project.buildSpec));
      expect(commands.some((text) => text.includes('npm install -g aws-cdk@'))).toBe(true);
      expect(commands.filter((text) => text.includes('npm install -g cdk-assets@')).length).toBeGreaterThanOrEqual(2);
      expect(commands.some((text) => text.includes('npx projen synth'))).toBe(true);
    });

    // CDK Pipelines installs `aws-cdk@2` and `cdk-assets@latest` unless told otherwise.
    test('no buildspec installs an unpinned or @latest package', () => {
      const unpinned = projects.flatMap((project) => {
        const phases = Object.values(project.buildSpec.phases ?? {}) as Array<{ commands?: string[] }>;
        return phases
          .flatMap((phase) => phase.commands ?? [])
          .flatMap((command) => unpinnedInstalls(command).map((spec) => `${project.id}: ${spec}`));
      });
      expect(unpinned).toEqual([]);
    });

    test('the CLI and cdk-assets are the exact versions set in packages/projen/src/versions.ts', () => {
      const text = projects.map((project) => JSON.stringify(project.buildSpec)).join('\n');
      expect(CDK_CLI_VERSION).toMatch(/^2\.\d+\.\d+$/);
      expect(CDK_ASSETS_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
      expect(text).toContain(`npm install -g aws-cdk@${CDK_CLI_VERSION}`);
      expect(text).toContain(`npm install -g cdk-assets@${CDK_ASSETS_VERSION}`);
    });

    test('every project builds on CodeBuild standard:8.0 with Node 24 where it picks a runtime', () => {
      expect(projects.length).toBeGreaterThan(0);
      for (const project of projects) {
        expect({ id: project.id, image: project.image }).toEqual({
          id: project.id,
          image: 'aws/codebuild/standard:8.0',
        });
        const runtime = project.buildSpec.phases?.install?.['runtime-versions'];
        expect({ id: project.id, runtime }).toEqual({ id: project.id, runtime: { nodejs: '24' } });
      }
    });
  });
});

describe("every environment in the pipeline's account", () => {
  test('uses no customer-managed artifact key and still passes both nag packs', () => {
    const built = pipelineApp([environment('dev', PIPELINE_ACCOUNT), environment('prod', PIPELINE_ACCOUNT, true)], {
      ...SETTINGS,
      notifyEmail: undefined,
    });
    const template = synthesize(built);
    expect(built.pipeline.crossAccount).toBe(false);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    const approval = stageNamed(template, 'Prod').Actions.find(
      (action) => action.ActionTypeId.Category === 'Approval',
    )!;
    expect(approval.Configuration!.NotificationArn).toBeUndefined();
  });
});

describe('an environment in another region than the pipeline', () => {
  /** `environment()` in us-east-1 instead of the pipeline's eu-west-1. */
  const inUsEast1 = (config: ReturnType<typeof environment>) => ({
    ...config,
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
  });
  /** The support stack CodePipeline adds for the other region's artifacts. */
  const supportStack = (built: ReturnType<typeof pipelineApp>) => {
    const stacks = built.app.node.children.filter(
      (child): child is Stack => Stack.isStack(child) && child !== built.stack,
    );
    expect(stacks.map((stack) => stack.region)).toEqual(['us-east-1']);
    return Template.fromStack(stacks[0]);
  };

  test("in the pipeline's account: passes both nag packs, with a versioned artifact replication bucket in that region", () => {
    const built = pipelineApp([
      environment('dev', PIPELINE_ACCOUNT),
      inUsEast1(environment('prod', PIPELINE_ACCOUNT, true)),
    ]);
    synthesize(built);
    supportStack(built).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
    });
  });

  test("in another account: the pipeline's key grant names only that region's keys carrying the replication key's alias, not every key", () => {
    const built = pipelineApp([
      environment('dev', PIPELINE_ACCOUNT),
      inUsEast1(environment('prod', '222222222222', true)),
    ]);
    const template = synthesize(built);
    supportStack(built).resourceCountIs('AWS::KMS::Key', 1);
    const keyStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('kms:')));
    // CDK Pipelines writes "Resource": "*" for a key in another region: with the default key policy, every key.
    expect(keyStatements.filter((statement) => statement.Resource === '*')).toEqual([]);
    expect(keyStatements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-east-1:111111111111:key/*']] },
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [expect.stringMatching(/^alias\//)] } },
      }),
    );
  });
});

test('the first environment asking for approval gets a comment without a predecessor', () => {
  const built = pipelineApp([environment('prod', '222222222222', true)]);
  const approval = stageNamed(synthesize(built), 'Prod').Actions.find(
    (action) => action.ActionTypeId.Category === 'Approval',
  )!;
  expect(approval.Configuration!.CustomData).toContain('No environment runs this commit yet');
  expect(approval.Configuration!.ExternalEntityLink).toBeUndefined();
});

test("an unacknowledged finding inside an environment's stage fails synth", () => {
  const built = pipelineApp(
    [environment('dev', PIPELINE_ACCOUNT)],
    SETTINGS,
    (stack) => new s3.Bucket(stack, 'UnloggedBucket'),
  );
  expect(() => built.app.synth()).toThrow(/Delivery\/Dev\/Application\/UnloggedBucket\/Resource[\s\S]*AwsSolutions-S1/);
});

describe('validation', () => {
  function attempt(configure: (stack: Stack) => void) {
    return () => {
      const app = new App();
      configure(new Stack(app, 'Delivery', { env: { account: PIPELINE_ACCOUNT, region: 'eu-west-1' } }));
    };
  }

  test('needs at least one environment', () => {
    expect(
      attempt(
        (stack) =>
          new SlipwayPipeline(stack, 'Pipeline', { settings: SETTINGS, stages: [], verifyBundle: VERIFY_BUNDLE }),
      ),
    ).toThrow(SlipwayConfigError);
    expect(
      attempt(
        (stack) =>
          new SlipwayPipeline(stack, 'Pipeline', { settings: SETTINGS, stages: [], verifyBundle: VERIFY_BUNDLE }),
      ),
    ).toThrow(/stages must hold at least one environment/);
  });

  test('refuses an environment listed twice', () => {
    expect(
      attempt(
        (stack) =>
          new SlipwayPipeline(stack, 'Pipeline', {
            settings: SETTINGS,
            verifyBundle: VERIFY_BUNDLE,
            stages: [
              new FakeApplicationStage(stack, 'Dev', environment('dev', PIPELINE_ACCOUNT)),
              new FakeApplicationStage(stack, 'Dev2', environment('dev', PIPELINE_ACCOUNT)),
            ],
          }),
      ),
    ).toThrow(/stages must not list an environment twice; got "dev"/);
  });

  test.each([
    ['a relative path', 'lib/slipway-verify.js'],
    ['a missing file', path.join(tmpdir(), 'no-such-dir', 'slipway-verify.js')],
  ])('refuses %s as the verify bundle, naming the fix', (_, verifyBundle) => {
    expect(
      attempt(
        (stack) =>
          new SlipwayPipeline(stack, 'Pipeline', {
            settings: SETTINGS,
            verifyBundle,
            stages: [new FakeApplicationStage(stack, 'Dev', environment('dev', PIPELINE_ACCOUNT))],
          }),
      ),
    ).toThrow(
      /Delivery\/Pipeline: verifyBundle must be the absolute path of an existing file; got ".*slipway-verify\.js"\. Pass require\.resolve\('@slipway\/cli\/lib\/slipway-verify\.js'\)/,
    );
  });

  test("the stack env must be the pipeline settings' account and region", () => {
    expect(
      attempt(
        (stack) =>
          new SlipwayPipeline(stack, 'Pipeline', {
            settings: { ...SETTINGS, account: '999999999999' },
            verifyBundle: VERIFY_BUNDLE,
            stages: [new FakeApplicationStage(stack, 'Dev', environment('dev', PIPELINE_ACCOUNT))],
          }),
      ),
    ).toThrow(
      /settings\.account\/region must match the pipeline stack's env \(111111111111\/eu-west-1\); got "999999999999\/eu-west-1"/,
    );
  });
});
