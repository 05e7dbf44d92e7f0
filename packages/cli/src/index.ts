export * from './command';
export * from './main';
export * from './cost';
export * from './diagram';
