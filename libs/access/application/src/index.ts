export * from './lib/ports';
export * from './lib/api-key.commands';
export * from './lib/delegation.commands';
export * from './lib/access.queries';
export * from './lib/classifications';
export * from './lib/processing-map';
export * from './lib/console-cookie';
