export * from './lib/permissions';
export * from './lib/identifiers';
export * from './lib/api-key';
export * from './lib/delegation';
export * from './lib/console-session';
