export * from './alarm-topic';
export * from './deployment-alarm-name';
export * from './stopped-task-alert';
