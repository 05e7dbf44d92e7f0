export * from './environment-dashboard';
