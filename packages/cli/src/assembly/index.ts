export * from './at-capacity';
export * from './cloud-assembly';
