import './user-errors';
import { spawnSync } from 'node:child_process';
import { Stack } from 'aws-cdk-lib';
import { pipeline, promotionOrder } from '#environments';
import { createApp } from './app';
import { planCdkTask } from './cdk-task';
import { constructPaths, formatDestroySummary, summarizeDestroy } from './destroy-summary';
import { findDeliveryStack } from './synth-report';

// Entry of the deploy/diff/destroy tasks: `node lib/cdk-run.js <action> <environment|pipeline> [cdk options]`.
// A bad argument or setting ends it with its sentence and exit code 1 (./user-errors).
const argv = process.argv.slice(2);
const invocation = planCdkTask(argv, promotionOrder, pipeline);
console.log(`▶ ${invocation.description}: cdk ${invocation.args.join(' ')}`);
const cdk = require.resolve('aws-cdk/bin/cdk');
let args = invocation.args;
if (argv[0] === 'destroy') {
  // Before the CDK CLI asks to confirm, say what the deletion leaves behind (retained keys, log groups, buckets,
  // final snapshots), read from this synthesis; the CLI then deletes exactly these stacks (`--app cdk.out`).
  if (process.env.CDK_VALIDATION !== 'true') process.env.CDK_VALIDATION = 'false';
  const app = createApp({ outdir: 'cdk.out' });
  const assembly = app.synth();
  const delivery = findDeliveryStack(app);
  const stage = delivery.stages.find((candidate) => candidate.config.name === argv[1]);
  const stacks: Stack[] = stage ? stage.node.children.filter(Stack.isStack) : [delivery];
  const summaries = stacks.map((stack) => {
    const artifact = stage
      ? assembly.getNestedAssembly(stage.artifactId).getStackArtifact(stack.artifactId)
      : assembly.getStackArtifact(stack.artifactId);
    return summarizeDestroy(artifact, constructPaths(stack));
  });
  for (const line of formatDestroySummary(summaries)) console.log(line);
  args = [args[0], '--app', 'cdk.out', ...args.slice(1)];
}
// The app reads each image's commit from git itself (see image-revision.ts).
const result = spawnSync(process.execPath, [cdk, ...args], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
