export * from './lib/event-log.http.controller';
