import { spawnSync } from 'node:child_process';
import { CdkTaskError, planCdkTask } from './cdk-task';
import { pipeline, promotionOrder } from '../../../environments';

// Entry of the deploy/diff/destroy tasks: `node lib/cdk-run.js <action> <environment|pipeline> [cdk options]`.
try {
  const invocation = planCdkTask(process.argv.slice(2), promotionOrder, pipeline);
  console.log(`▶ ${invocation.description}: cdk ${invocation.args.join(' ')}`);
  const gitSha =
    process.env.GIT_SHA || spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout?.trim() || undefined;
  const cdk = require.resolve('aws-cdk/bin/cdk');
  const result = spawnSync(process.execPath, [cdk, ...invocation.args], {
    stdio: 'inherit',
    env: { ...process.env, ...(gitSha ? { GIT_SHA: gitSha } : {}) },
  });
  process.exitCode = result.status ?? 1;
} catch (error) {
  if (!(error instanceof CdkTaskError)) throw error;
  console.error(`✖ ${error.message}`);
  process.exitCode = 2;
}
