import * as path from 'node:path';
import { EnvironmentConfig, enforceSecurityChecks, PipelineSettings } from '@slipway/constructs';
import { App, AppProps } from 'aws-cdk-lib';
import { appName, pipeline, promotionOrder } from '#environments';
import { DeliveryStack } from './delivery-stack';

/** The id of the pipeline stack in the App, and the first part of every stage's path (`Delivery/Dev/*`). */
export const DELIVERY_STACK_ID = 'Delivery';

/** The repository root, from this file's place in it (packages/infra/src or packages/infra/lib). */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Options of `createApp`. */
export interface CreateAppOptions extends AppProps {
  /**
   * The app's name, which names the stacks (`<appName>-dev`, `<appName>-pipeline`).
   * @default - `appName` from environments/index.ts
   */
  readonly appName?: string;
  /**
   * The repository root, where the Docker build contexts are and whose git history gives each image its commit.
   * @default REPOSITORY_ROOT
   */
  readonly repositoryRoot?: string;
  /**
   * The environments in promotion order.
   * @default - `promotionOrder` from environments/index.ts
   */
  readonly environments?: readonly EnvironmentConfig[];
  /**
   * The pipeline's settings.
   * @default - `pipeline` from environments/index.ts
   */
  readonly pipeline?: PipelineSettings;
}

/**
 * The CDK app: both cdk-nag packs enforced on everything, and the delivery
 * stack with one stage per environment of environments/, in promotion order.
 */
export function createApp(options: CreateAppOptions = {}): App {
  const { appName: name, repositoryRoot, environments, pipeline: settings, ...appProps } = options;
  const app = new App(appProps);
  enforceSecurityChecks(app);
  new DeliveryStack(app, DELIVERY_STACK_ID, {
    appName: name ?? appName,
    environments: environments ?? promotionOrder,
    pipeline: settings ?? pipeline,
    repositoryRoot: repositoryRoot ?? REPOSITORY_ROOT,
  });
  return app;
}
