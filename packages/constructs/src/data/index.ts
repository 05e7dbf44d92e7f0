export * from './cache';
export * from './database';
export * from './database-migration';
export * from './rds-certificates';
