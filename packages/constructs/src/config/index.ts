export * from './data-config';
export * from './environment-config';
export * from './environment-schema';
export * from './fargate-sizes';
export { parseSettings } from './parse-settings';
export type { CheckedAgainst, SettingsSource } from './parse-settings';
export * from './placeholders';
export * from './shared-rules';
export * from './slipway-config-error';
