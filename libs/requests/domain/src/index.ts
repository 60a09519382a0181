export * from './lib/deadlines';
export * from './lib/request';
