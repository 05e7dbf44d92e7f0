export * from './alb-ingress';
export type { CustomDomainProps } from './custom-domain';
export * from './http-api-ingress';
