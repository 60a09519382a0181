export * from './lib/customer';
