import { copyFileSync, existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { Duration, Names, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as notifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { CDK_ASSETS_VERSION, CDK_CLI_VERSION } from './cdk-tool-versions';
import { DeployableStage } from './deployable-stage';
import { acknowledgePipelineGrants } from './pipeline-acknowledgements';
import { announcedOutcomes, PipelineOutcome, PipelineSettings } from './pipeline-settings';
import { PromotionApprovalStep, VerifiedPredecessor } from './promotion-approval-step';
import { narrowReplicationKeyGrants } from './replication-key-grants';
import { DeploymentVerificationStep } from './verification-step';
import { plannedReleaseMinutes } from '../config/deployment-config';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { SETTINGS_METADATA, VERIFY_BUNDLE_FILE } from '../contract';
import { acknowledgeFindings } from '../nag/acknowledge';

/** Props of `SlipwayPipeline`. */
export interface SlipwayPipelineProps {
  /** Repository, branch, connection, account and commands, from `environments/index.ts`. */
  readonly settings: PipelineSettings;
  /** One Stage per environment, in promotion order (first deployed first). At least one. */
  readonly stages: ReadonlyArray<Stage & DeployableStage>;
  /**
   * Absolute path of the single-file `slipway verify` the verification steps
   * run with node: `lib/slipway-verify.js` of @slipway/cli, e.g.
   * `require.resolve('@slipway/cli/lib/slipway-verify.js')`. It is copied into
   * the cloud assembly at synth, so the steps install nothing. A prop rather
   * than a lookup because @slipway/cli depends on this package, not the other
   * way round (docs/pipeline.md).
   */
  readonly verifyBundle: string;
}

const DEFAULT_SYNTH_INSTALL = [
  // The frontend's tests run its real nginx config; CodeBuild's standard image has Chrome but no nginx.
  'apt-get update -qq && apt-get install -y -qq nginx',
  // Packages come from the npm cache CodeBuild restores (see NPM_CACHE); npm only asks the registry for what is missing.
  'npm ci --prefer-offline --no-audit --no-fund',
];
const DEFAULT_SYNTH_COMMANDS = ['npx projen build', 'npx projen synth'];
const DEFAULT_CLOUD_ASSEMBLY_DIR = 'packages/infra/cdk.out';
/**
 * The newest CodeBuild managed image, Ubuntu 24.04 `aws/codebuild/standard:8.0`, and the newest Node.js
 * it offers in `runtime-versions` (22 and 24; standard:7.0 stops at 22, and Node 20 reached end of life
 * on 2026-04-30). See "Available runtimes" in the CodeBuild user guide. By its id: aws-cdk-lib names it
 * (`STANDARD_8_0`) only from 2.274, which this library cannot use yet (VERSIONS.awsCdkLib in @slipway/projen).
 */
const BUILD_IMAGE = codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0');
const NODE_RUNTIME = '24';
/** The AWS CodeStar Notifications event type of each announced outcome of a pipeline run (its execution's end state). */
const OUTCOME_EVENT_TYPES: Readonly<Record<PipelineOutcome, codepipeline.PipelineNotificationEvents>> = {
  failed: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
  succeeded: codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
};
const CODESTAR_NOTIFICATIONS = new iam.ServicePrincipal('codestar-notifications.amazonaws.com');
/** npm's cache in CodeBuild's standard image (builds run as root); saved to S3 after a build, restored before the next. */
const NPM_CACHE = '/root/.npm/**/*';

/**
 * The delivery pipeline: a push to the branch runs install, build and tests,
 * synthesizes the CDK app, updates the pipeline itself, publishes the Docker
 * images and deploys each environment in promotion order. After each
 * deployment `slipway verify` waits for the ECS rollout and smoke-tests the
 * stage; an environment whose config requires approval waits for a person,
 * who is told which commit, what was verified and where to look. The
 * settings' `notifyEmail` hears when a run fails and when a release reaches
 * the last environment.
 */
export class SlipwayPipeline extends Construct {
  /** The CDK Pipelines pipeline. */
  public readonly codePipeline: CodePipeline;
  /** The repository source (a CodeConnections connection on the branch). */
  public readonly source: CodePipelineSource;
  /** Whether any environment is in another account than the pipeline (artifacts are then KMS-encrypted with a rotated key). */
  public readonly crossAccount: boolean;
  /** The verification step of each environment, by environment name. */
  public readonly verifications: Readonly<Record<string, DeploymentVerificationStep>>;
  /** The approval step of each environment that requires one, by environment name. */
  public readonly approvals: Readonly<Record<string, PromotionApprovalStep>>;
  /** Where CodeBuild keeps the npm cache of the synth, self-mutation and asset steps between builds. */
  public readonly buildCache: s3.Bucket;
  /**
   * The encrypted topic of `settings.notifyEmail`, which the outcomes of the pipeline's runs go to (and its waiting
   * approvals, unless an environment names another address).
   * @default - none when no outcome is announced
   */
  public readonly notificationTopic?: sns.Topic;
  /**
   * The notification rule that announces the outcomes of the pipeline's runs on `notificationTopic`.
   * @default - none when no outcome is announced
   */
  public readonly runNotifications?: notifications.NotificationRule;

  constructor(scope: Construct, id: string, props: SlipwayPipelineProps) {
    super(scope, id);
    const settings = props.settings;
    validate(this, props);
    // For `slipway doctor` (the connection and the account every environment's bootstrap must trust).
    this.node.addMetadata(SETTINGS_METADATA.pipeline, settings);

    this.source = CodePipelineSource.connection(settings.repository, settings.branch, {
      connectionArn: settings.connectionArn,
      triggerOnPush: true,
      // A git clone instead of a zip: synth reads each image's last commit from the history (GIT_SHA).
      codeBuildCloneOutput: true,
    });
    const commit = this.source.sourceAttribute('CommitId');
    const synth = new ShellStep('Synth', {
      input: this.source,
      installCommands: settings.synth?.installCommands ?? DEFAULT_SYNTH_INSTALL,
      commands: settings.synth?.commands ?? DEFAULT_SYNTH_COMMANDS,
      primaryOutputDirectory: settings.synth?.cloudAssemblyDir ?? DEFAULT_CLOUD_ASSEMBLY_DIR,
    });

    this.crossAccount = props.stages.some((stage) => stage.config.account !== settings.account);
    this.buildCache = this.createBuildCache();
    const cached = (prefix: string) => ({
      cache: codebuild.Cache.bucket(this.buildCache, { prefix }),
      partialBuildSpec: codebuild.BuildSpec.fromObject({ cache: { paths: [NPM_CACHE] } }),
    });
    this.codePipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: settings.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      selfMutation: true,
      // Exact versions (CDK Pipelines would install `aws-cdk@2` and `cdk-assets@latest`): a new npm release
      // must not change what a deploy runs. Set in packages/projen/src/versions.ts.
      cliVersion: CDK_CLI_VERSION,
      cdkAssetsCliVersion: CDK_ASSETS_VERSION,
      // Other accounts can only read artifacts encrypted with a customer-managed key.
      crossAccountKeys: this.crossAccount,
      enableKeyRotation: this.crossAccount ? true : undefined,
      // Synth only fingerprints the Docker contexts; images are built where they are published.
      dockerEnabledForSynth: false,
      // One publishing step per asset type, whose buildspec CDK Pipelines writes into the cloud assembly
      // instead of the pipeline stack: the asset hashes it names change with every app commit, and in the
      // stack they would make each such commit update the pipeline and restart it (docs/pipeline.md).
      publishAssetsInParallel: false,
      assetPublishingCodeBuildDefaults: cached('assets'),
      selfMutationCodeBuildDefaults: cached('self-mutation'),
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: BUILD_IMAGE,
          computeType: codebuild.ComputeType.SMALL,
        },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: NODE_RUNTIME } } },
        }),
      },
      // Install, build and every package's tests: more memory than the default 3 GB.
      synthCodeBuildDefaults: { buildEnvironment: { computeType: codebuild.ComputeType.MEDIUM }, ...cached('synth') },
    });

    const cloudAssembly = synth.primaryOutput!;
    const assemblyDir = Stage.of(this)!.outdir;
    copyFileSync(props.verifyBundle, join(assemblyDir, VERIFY_BUNDLE_FILE));

    const verifications: Record<string, DeploymentVerificationStep> = {};
    const approvals: Record<string, PromotionApprovalStep> = {};
    const topics = new Map<string, sns.Topic>();
    let predecessor: VerifiedPredecessor | undefined;
    for (const stage of props.stages) {
      const config = stage.config;
      let approval: PromotionApprovalStep | undefined;
      if (config.approval?.required) {
        const email = config.approval.notifyEmail ?? settings.notifyEmail;
        approval = new PromotionApprovalStep('Approve', {
          environment: config.name,
          target: `account ${config.account}, ${config.region}`,
          source: `${settings.repository}@${settings.branch}`,
          commit,
          predecessor,
          notificationTopic: email ? this.notifiedTopic(topics, email) : undefined,
        });
        approvals[config.name] = approval;
      }
      const stageStack = Stack.of(stage.deployment.url);
      const verification = new DeploymentVerificationStep('Verify', {
        region: config.region,
        deployment: stage.deployment,
        cloudAssembly,
        cli: VERIFY_BUNDLE_FILE,
        releaseWaitMinutes: plannedReleaseMinutes(config.deployment),
        // Its path comes from the stack's artifact id, not its content: the same on every commit.
        template: relative(assemblyDir, join(stage.outdir, stageStack.templateFile)).split(sep).join('/'),
      });
      verifications[config.name] = verification;
      this.codePipeline.addStage(stage, { pre: approval ? [approval] : [], post: [verification] });
      predecessor = {
        environment: config.name,
        url: verification.verifiedUrl,
        verification: verification.verificationSummary,
        stageName: stage.stageName,
      };
    }
    this.verifications = verifications;
    this.approvals = approvals;
    this.codePipeline.buildPipeline();
    const outcomes = announcedOutcomes(settings);
    // After the approvals' topics: a new topic takes the next number and renumbers (replaces) none that is deployed.
    if (settings.notifyEmail && outcomes.length > 0) {
      this.notificationTopic = this.notifiedTopic(topics, settings.notifyEmail);
      this.runNotifications = this.announceOutcomes(this.notificationTopic, outcomes);
    }
    this.grantConnectionUse(settings.connectionArn);
    this.secureArtifactBucket();
    const replicationBuckets = this.secureReplicationBuckets();
    narrowReplicationKeyGrants(this, replicationBuckets);
    if (!this.crossAccount) this.acknowledgeSameAccountEncryption();
    const artifactBucket = this.codePipeline.pipeline.artifactBucket;
    acknowledgePipelineGrants(this, {
      artifactBucket,
      replicationBuckets,
      cacheBucket: this.buildCache,
      keys: [
        ...(artifactBucket.encryptionKey ? [artifactBucket.encryptionKey] : []),
        ...[...topics.values()].map((topic) => topic.masterKey!),
      ],
    });
  }

  /**
   * CDK grants the source action and the synth project (which clones the repository) only
   * `codestar-connections:UseConnection`, the action of the connections' old service prefix. A connection made with
   * `aws codeconnections create-connection` (docs/pipeline.md) has an ARN of the new prefix, `codeconnections`, and
   * IAM only matches a resource of an action's own prefix: without the new action the Source stage and the clone
   * are refused. Every policy that holds CDK's grant gets the same grant under the new prefix, on the same ARN.
   */
  private grantConnectionUse(connectionArn: string): void {
    if (!/^arn:[^:]+:codeconnections:/.test(connectionArn)) return;
    const stack = Stack.of(this);
    const grantsOldAction = (policy: iam.Policy) =>
      JSON.stringify(stack.resolve(policy.document)).includes('"codestar-connections:UseConnection"');
    const policies = this.node
      .findAll()
      .filter((node): node is iam.Policy => node instanceof iam.Policy && grantsOldAction(node));
    for (const policy of policies) {
      policy.addStatements(
        new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [connectionArn] }),
      );
    }
  }

  /**
   * The S3 bucket CodeBuild saves the npm cache to after a build and restores
   * it from before the next, so installs download only what changed.
   */
  private createBuildCache(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'BuildCache', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // A cache entry unused for a month is stale anyway; npm refills it from the registry.
      lifecycleRules: [{ expiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    const disposable =
      "Holds only CodeBuild's npm download cache, which any build recreates from the registry; losing or replacing it costs one slower install and no data.";
    acknowledgeFindings(
      bucket,
      {
        id: 'AwsSolutions-S1',
        reason: `${disposable} Only this pipeline's build roles read and write it; CloudTrail records changes to the bucket.`,
      },
      {
        id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
        reason: `${disposable} Only this pipeline's build roles read and write it; CloudTrail records changes to the bucket.`,
      },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: disposable },
      { id: 'NIST.800.53.R5-S3BucketVersioningEnabled', reason: disposable },
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: `${disposable} It holds public npm packages only, so the S3-managed key is enough.`,
      },
    );
    return bucket;
  }

  /**
   * With every environment in the pipeline's account there is no
   * customer-managed artifact key (it exists for cross-account reads).
   */
  private acknowledgeSameAccountEncryption(): void {
    for (const project of this.node
      .findAll()
      .filter((node): node is codebuild.Project => node instanceof codebuild.Project)) {
      acknowledgeFindings(project, {
        id: 'AwsSolutions-CB4',
        reason:
          "Every environment is in the pipeline's own account, so build output is encrypted with the AWS-managed S3 key like the artifact bucket; a customer-managed key is added automatically once an environment is in another account.",
      });
    }
  }

  /**
   * The artifact bucket CDK Pipelines creates is encrypted, TLS-only and
   * private; Slipway adds versioning and says why it neither logs access nor
   * replicates.
   */
  private secureArtifactBucket(): void {
    versionArtifactStore(this.codePipeline.pipeline.artifactBucket, {
      noLogs:
        "Holds only build artifacts of commits (reproducible from the repository), read and written by this pipeline's roles alone; CloudTrail records who changes the bucket or its policy.",
      noReplica:
        'Build artifacts are transient and rebuilt from the repository by re-running the pipeline; a replica in another region would add cost and no recovery value.',
    });
  }

  /**
   * An environment in another region than the pipeline gets its artifacts through a replication bucket in that
   * region, which CodePipeline creates in a support stack of its own (`<pipeline stack>-support-<region>`, deployed
   * with the pipeline stack). Like the artifact bucket it is encrypted, TLS-only and private; Slipway adds versioning
   * and says why it neither logs access nor replicates. Returns the buckets, whose grants the pipeline's roles hold.
   */
  private secureReplicationBuckets(): s3.IBucket[] {
    return Object.entries(this.codePipeline.pipeline.crossRegionSupport).map(([region, support]) => {
      versionArtifactStore(support.replicationBucket, {
        noLogs: `Holds only copies of this pipeline's build artifacts for its deploy actions in ${region} (reproducible from the repository), read and written by this pipeline's roles alone; CloudTrail records who changes the bucket or its policy.`,
        noReplica: `It is itself the copy of the pipeline's artifacts in ${region}; they are transient and rebuilt from the repository by re-running the pipeline.`,
      });
      return support.replicationBucket;
    });
  }

  /**
   * One encrypted, TLS-only topic per notified address. Its construct ids still say "Approval", which it was first
   * made for: renaming them would replace deployed topics and ask every address to confirm its subscription again.
   */
  private notifiedTopic(topics: Map<string, sns.Topic>, email: string): sns.Topic {
    const existing = topics.get(email);
    if (existing) return existing;
    const index = topics.size + 1;
    const key = new kms.Key(this, `ApprovalTopicKey${index}`, {
      description: `Encrypts the notifications of ${this.node.path} sent to ${email}`,
      enableKeyRotation: true,
    });
    const topic = new sns.Topic(this, `ApprovalTopic${index}`, { masterKey: key, enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    topics.set(email, topic);
    return topic;
  }

  /**
   * An AWS CodeStar Notifications rule that publishes the end of each pipeline execution in `outcomes` to the topic,
   * with CodePipeline's full detail. The service publishes as its own principal: the topic's policy lets it publish
   * only on behalf of this account (`aws:SourceAccount`), so no other account's notification rule can post to the
   * team's address, and the key's policy lets it encrypt only through SNS in this region (`kms:ViaService`), the
   * two conditions AWS documents for them ("Configure Amazon SNS topics for notifications" and its troubleshooting
   * page in the Developer Tools console user guide).
   */
  private announceOutcomes(topic: sns.Topic, outcomes: readonly PipelineOutcome[]): notifications.NotificationRule {
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CodeStarNotificationsPublish',
        principals: [CODESTAR_NOTIFICATIONS],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    // SNS encrypts what a publisher sends with the topic's key under that publisher's identity. Nothing documents
    // that CodeStar Notifications' calls to KMS carry aws:SourceAccount, and a condition they do not meet would
    // drop every notification without an error anyone sees.
    topic.masterKey!.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CodeStarNotificationsEncrypt',
        principals: [CODESTAR_NOTIFICATIONS],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
    const rule = new notifications.NotificationRule(this, 'RunNotifications', {
      // Unique in the account (CDK's default is unique in the stack only): it starts with the stack's name.
      notificationRuleName: `${Names.uniqueResourceName(this, { maxLength: 59, separator: '-', allowedSpecialCharacters: '-_' })}-runs`,
      source: this.codePipeline.pipeline,
      events: outcomes.map((outcome) => OUTCOME_EVENT_TYPES[outcome]),
      detailType: notifications.DetailType.FULL,
      // The topic itself, not `topic` as a target: binding an sns.Topic would grant the service without conditions.
      targets: [{ bindAsNotificationRuleTarget: () => ({ targetType: 'SNS', targetAddress: topic.topicArn }) }],
    });
    // Created after both policies, so no outcome is announced before the service may deliver it.
    rule.node.addDependency(topic, topic.masterKey!);
    return rule;
  }
}

/**
 * A bucket CodePipeline keeps artifacts in (encrypted, TLS-only and private by CDK): versioned, and acknowledged for
 * the access logs and the replica it has not, with the reasons given.
 */
function versionArtifactStore(bucket: s3.IBucket, reasons: { noLogs: string; noReplica: string }): void {
  (bucket.node.defaultChild as s3.CfnBucket).versioningConfiguration = { status: 'Enabled' };
  acknowledgeFindings(
    bucket,
    { id: 'AwsSolutions-S1', reason: reasons.noLogs },
    { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: reasons.noLogs },
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: reasons.noReplica },
  );
}

function validate(pipeline: SlipwayPipeline, props: SlipwayPipelineProps): void {
  const stack = Stack.of(pipeline);
  const path = pipeline.node.path;
  const settings = props.settings;
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    throw SlipwayConfigError.of(path, {
      field: 'stack env',
      value: stack.account,
      problem: 'must be set explicitly',
      fix: 'Create the pipeline stack with env: { account: pipeline.account, region: pipeline.region } from environments/index.ts.',
    });
  }
  if (stack.account !== settings.account || stack.region !== settings.region) {
    throw SlipwayConfigError.of(path, {
      field: 'settings.account/region',
      value: `${settings.account}/${settings.region}`,
      problem: `must match the pipeline stack's env (${stack.account}/${stack.region})`,
      fix: "Build the pipeline stack's env from the same pipeline settings.",
    });
  }
  if (!isAbsolute(props.verifyBundle) || !existsSync(props.verifyBundle)) {
    throw SlipwayConfigError.of(path, {
      field: 'verifyBundle',
      value: props.verifyBundle,
      problem: 'must be the absolute path of an existing file',
      fix: "Pass require.resolve('@slipway/cli/lib/slipway-verify.js'): add @slipway/cli to the app's dependencies and build it (its compile runs bundle:verify).",
    });
  }
  if (props.stages.length === 0) {
    throw SlipwayConfigError.of(path, {
      field: 'stages',
      value: [],
      problem: 'must hold at least one environment',
      fix: 'List the environments in promotion order in environments/index.ts.',
    });
  }
  const seen = new Set<string>();
  for (const stage of props.stages) {
    const name = stage.config.name;
    if (seen.has(name)) {
      throw SlipwayConfigError.of(path, {
        field: 'stages',
        value: name,
        problem: 'must not list an environment twice',
        fix: 'Each environment appears once in the promotion order.',
      });
    }
    seen.add(name);
    if (stage.account !== stage.config.account || stage.region !== stage.config.region) {
      throw SlipwayConfigError.of(stage.node.path, {
        field: 'env',
        value: `${stage.account}/${stage.region}`,
        problem: `must be the environment's account and region (${stage.config.account}/${stage.config.region})`,
        fix: 'Create the Stage with env: { account: config.account, region: config.region }.',
      });
    }
  }
}
