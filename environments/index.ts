import { definePipeline } from '@slipway/constructs';
import { dev } from './dev';
import { prod } from './prod';

/**
 * The app's name: it names the stacks (`slipway-dev`, `slipway-prod`, `slipway-pipeline`) and, through
 * them, every name that must be unique in an account and region (dashboards, APIs, roles, log groups).
 * Lowercase letters, digits and hyphens. Renaming it later creates new stacks beside the old ones.
 */
export const appName = 'slipway';

/**
 * The order in which a commit is promoted: the pipeline deploys and verifies
 * each environment before the next. To add one (say staging), write
 * environments/staging.ts like dev.ts and put it in this list.
 */
export const promotionOrder = [dev, prod];

/**
 * The delivery pipeline's own settings. The pipeline runs in the dev account
 * here; a separate tooling account works the same way (bootstrap every
 * environment's account to trust it, see docs/pipeline.md).
 *
 * The connection ARN is a placeholder: create a connection to your repository
 * host once (docs/pipeline.md) and paste its ARN.
 */
export const pipeline = definePipeline({
  repository: 'slipway-dev/slipway',
  branch: 'main',
  connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
  account: '111111111111',
  region: 'eu-west-1',
  // Hears of waiting approvals, failed runs and releases that reach prod; `notifications: { on: ['failed'] }` narrows it.
  notifyEmail: 'releases@example.com',
});
