export * from './lib/account';
export * from './lib/account.decider';
export * from './lib/organization';
export * from './lib/calendar';
