export * from './slipway-project';
export * from './npm-workspaces';
