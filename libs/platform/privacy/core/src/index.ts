export * from './lib/classification';
export * from './lib/erased';
export * from './lib/errors';
export * from './lib/paths';
