export * from './lib/principal';
export * from './lib/command-context';
export * from './lib/idempotency';
export * from './lib/processing-journal';
export * from './lib/clock-token';
export * from './lib/processing-record';
