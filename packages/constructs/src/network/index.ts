export * from './slipway-network';
