export * from './slipway-app-stack';
export * from './stack-termination-protection';
