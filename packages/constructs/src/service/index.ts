export * from './internal-service';
export * from './service-base';
export * from './service-image';
export * from './web-service';
export * from './http-api-service';
