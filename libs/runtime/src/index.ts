export * from './lib/registry';
export * from './lib/infrastructure';
