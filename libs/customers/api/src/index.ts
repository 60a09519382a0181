export * from './lib/customers.http.controller';
