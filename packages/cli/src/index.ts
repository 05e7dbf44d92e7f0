export * from './command';
export * from './main';
export * from './cost';
export * from './diagram';
export * from './assembly';
export * from './generated-block';
