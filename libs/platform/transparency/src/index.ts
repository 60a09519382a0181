export * from './lib/merkle';
export * from './lib/note';
export * from './lib/vectors';
