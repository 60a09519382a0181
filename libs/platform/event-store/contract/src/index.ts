export * from './lib/event-store.contract';
export * from './lib/fixtures';
