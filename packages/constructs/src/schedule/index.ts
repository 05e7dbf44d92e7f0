export * from './awake-hours';
