export * from './lib/test-database';
export * from './lib/expect-eventually';
export * from './lib/decider-spec';
export * from './lib/pii-scan';
export * from './lib/seeded-random';
