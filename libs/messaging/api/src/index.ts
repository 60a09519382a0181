export * from './lib/messaging.controller';
export type * from './lib/messaging.responses';
