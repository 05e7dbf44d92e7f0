import { definePipeline } from '@slipway/constructs';

// Stands in for environments/index.ts in test/user-errors.test.ts: the pipeline settings a user got wrong.
export const appName = 'shop';
export const promotionOrder = [];
export const pipeline = definePipeline({
  repository: 'acme/shop',
  branch: 'main',
  connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
  account: '111111111111',
  region: 'eu-west-1',
  notifyEmail: 'not-an-email',
});
