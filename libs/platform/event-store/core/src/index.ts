export * from './lib/event';
export * from './lib/event-store.port';
export * from './lib/errors';
export * from './lib/validation';
export * from './lib/position';
export * from './lib/handle-command';
export * from './lib/read-stream';
export * from './lib/upcasting';
