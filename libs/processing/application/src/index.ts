export * from './lib/verifier';
export * from './lib/ports';
