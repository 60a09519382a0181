export * from './lib/customers.projection';
export * from './lib/customers.read-model';
export { customersMigrations } from './lib/migrations';
