export * from './cache';
export * from './database';
