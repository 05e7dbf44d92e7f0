/**
 * The tag that marks every resource of one environment's stage with the
 * environment's name. `slipway status --env <name>` and `slipway verify --env
 * <name>` find the environment's ECS cluster by it, so people on call need no
 * stack outputs. Kept free of aws-cdk-lib imports: the CLI loads it.
 */
export const ENVIRONMENT_TAG_KEY = 'slipway:environment';
