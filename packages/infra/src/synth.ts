import { createApp } from './app';
import { findDeliveryStack, formatSynthSummary, summarizeSynth } from './synth-report';

// The `synth` task: write the cloud assembly to cdk.out without the CDK CLI
// (nothing to deploy, so no credentials or network), then say per environment
// what it holds. A finding of either nag pack that nobody acknowledged fails here.
const outdir = 'cdk.out';
const started = performance.now();
const app = createApp({ outdir, gitSha: process.env.GIT_SHA || undefined });
try {
  const assembly = app.synth();
  const seconds = (performance.now() - started) / 1000;
  for (const line of formatSynthSummary(summarizeSynth(assembly, findDeliveryStack(app)), `packages/infra/${outdir}`, seconds)) console.log(line);
} catch (error) {
  console.error((error as Error).message);
  console.error(`\n✖ Synth failed: fix the findings above, or acknowledge one next to its resource with a reason (docs/security.md). Full report: packages/infra/${outdir}/validation-report.json`);
  process.exitCode = 1;
}
