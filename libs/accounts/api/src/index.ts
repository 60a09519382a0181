export * from './lib/accounts.dto';
export * from './lib/public-flow.limiter';
export * from './lib/registrations.http.controller';
export * from './lib/my-account.http.controller';
export * from './lib/organization.http.controller';
export * from './lib/platform-accounts.http.controller';
