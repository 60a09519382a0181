export * from './lib/consent.http.controller';
