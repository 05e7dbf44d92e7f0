export * from './deployable-stage';
export * from './deployment-verification-role';
export * from './cdk-tool-versions';
export * from './pipeline-settings';
export * from './promotion-approval-step';
export * from './slipway-pipeline';
export * from './verification-step';
