export * from './lib/requests.controller';
