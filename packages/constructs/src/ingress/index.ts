export * from './slipway-ingress';
