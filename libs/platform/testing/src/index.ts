export * from './lib/test-database';
export * from './lib/expect-eventually';
export * from './lib/decider-spec';
