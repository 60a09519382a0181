export * from './lib/key-material';
export * from './lib/access.projection';
export * from './lib/access.read-model';
export * from './lib/authenticator';
export * from './lib/api-key-cache';
export * from './lib/console-sessions';
export * from './lib/console-oidc';
export * from './lib/jobs';
export { accessMigrations } from './lib/migrations';
