export * from './assumptions';
export * from './cloud-assembly';
export * from './cost-estimate';
export * from './cost-report';
export * from './generated-block';
export * from './prices';
export * from './command';
