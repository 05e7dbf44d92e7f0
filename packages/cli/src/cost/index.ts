export * from './assumptions';
export * from './cost-estimate';
export * from './cost-report';
export * from './prices';
export * from './stack-pricing-context';
export * from './command';
