export * from './lib/me.http.controller';
export * from './lib/api-keys.http.controller';
export * from './lib/delegations.http.controller';
export * from './lib/console-session.http.controller';
