export * from './acknowledge';
export * from './security-checks';
export * from './acknowledgement-report';
