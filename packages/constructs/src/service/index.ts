export * from './alb-service';
export * from './http-api-service';
export * from './internal-service';
export * from './service-base';
export * from './service-image';
export * from './service-props';
export * from './worker-service';
