export * from './lib/master-key';
export * from './lib/field-cipher';
export * from './lib/key-vault';
export * from './lib/encrypting-event-store';
export { keyVaultMigrations } from './lib/migrations';
export * from './lib/read-model-privacy';
export * from './lib/erasure-journal';
