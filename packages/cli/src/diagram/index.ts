export * from './architecture-model';
export * from './pipeline-model';
export * from './mermaid';
export * from './architecture-doc';
export * from './command';
