export * from './lib/accounts.projection';
export * from './lib/account-notifications.projection';
export * from './lib/account-contacts';
export * from './lib/accounts.read-model';
export * from './lib/identifier-claims';
export * from './lib/one-time-codes';
export * from './lib/subject-eraser';
export * from './lib/account-gate';
export { accountsMigrations } from './lib/migrations';
