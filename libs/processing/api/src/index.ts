export * from './lib/processing-record.controller';
