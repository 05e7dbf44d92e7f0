export * from './alarm-topic';
export * from './deployment-alarm-name';
