import './user-errors';
import { spawnSync } from 'node:child_process';
import { pipeline, promotionOrder } from '#environments';
import { planCdkTask } from './cdk-task';

// Entry of the deploy/diff/destroy tasks: `node lib/cdk-run.js <action> <environment|pipeline> [cdk options]`.
// A bad argument or setting ends it with its sentence and exit code 1 (./user-errors).
const invocation = planCdkTask(process.argv.slice(2), promotionOrder, pipeline);
console.log(`▶ ${invocation.description}: cdk ${invocation.args.join(' ')}`);
const cdk = require.resolve('aws-cdk/bin/cdk');
// The app reads each image's commit from git itself (see image-revision.ts).
const result = spawnSync(process.execPath, [cdk, ...invocation.args], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
