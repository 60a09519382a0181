export * from './lib/record';
export * from './lib/register';
