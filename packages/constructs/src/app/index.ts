export * from './function-log-groups';
export * from './slipway-app-stack';
export * from './stack-termination-protection';
