export * from './environment-config';
export * from './environment-schema';
export * from './fargate-sizes';
export * from './placeholders';
export * from './slipway-config-error';
export * from './settings-metadata';
