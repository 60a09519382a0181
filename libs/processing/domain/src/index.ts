export * from './lib/record';
export * from './lib/register';
export * from './lib/record-table';
