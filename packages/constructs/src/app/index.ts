export * from './slipway-app-stack';
