export * from './slipway-cluster';
