export * from './slipway-ingress';
export * from './http-api-ingress';
