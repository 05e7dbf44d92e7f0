export * from './internal-service';
export * from './service-base';
export * from './service-image';
export * from './web-service';
