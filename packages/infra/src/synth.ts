import './user-errors';
import { pipeline, promotionOrder } from '#environments';
import { createApp } from './app';
import { refuseSamplesInPipelineBuild } from './cdk-task';
import { findDeliveryStack, formatSynthSummary, summarizeSynth } from './synth-report';

// The `synth` task: write the cloud assembly to cdk.out without the CDK CLI
// (nothing to deploy, so no credentials or network), then say per environment
// what it holds. A finding of either nag pack that nobody acknowledged fails here.
const outdir = 'cdk.out';
const started = performance.now();
// In the pipeline, a commit with sample settings stops here (user-errors.ts prints the message, no stack trace).
refuseSamplesInPipelineBuild(process.env, promotionOrder, pipeline);
// CDK's built-in CloudFormation template validation only ever warns, and its
// engine's start-up is most of a synth's time: it is off here unless
// CDK_VALIDATION=true. The tests run it over the whole app and fail on any
// warning (test/app.test.ts), and every `cdk deploy` and `cdk diff` runs it.
// aws-cdk-lib reads the variable at synth and runs it unless it is "false".
if (process.env.CDK_VALIDATION !== 'true') process.env.CDK_VALIDATION = 'false';
const app = createApp({ outdir });
try {
  const assembly = app.synth();
  const seconds = (performance.now() - started) / 1000;
  for (const line of formatSynthSummary(
    summarizeSynth(assembly, findDeliveryStack(app)),
    `packages/infra/${outdir}`,
    seconds,
  )) {
    console.log(line);
  }
} catch (error) {
  console.error((error as Error).message);
  console.error(
    `\n✖ Synth failed: fix the findings above, or acknowledge one next to its resource with a reason (docs/security.md). Full report: packages/infra/${outdir}/validation-report.json`,
  );
  process.exitCode = 1;
}
