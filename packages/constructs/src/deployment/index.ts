export * from './smoke-test-hook';
export * from './traffic-shift';
