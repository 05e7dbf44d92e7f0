export * from './acknowledge';
export * from './security-checks';
