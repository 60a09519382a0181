export * from './lib/registry';
export * from './lib/infrastructure';
export * from './lib/console-access';
export * from './lib/console-accounts';
export * from './lib/jobs';
export * from './lib/customer-erasure';
