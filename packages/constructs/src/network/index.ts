export * from './nat-instance-user-data';
export * from './slipway-network';
