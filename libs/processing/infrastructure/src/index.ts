export * from './lib/migrations';
export * from './lib/record-log';
export * from './lib/record-log-journal';
export * from './lib/processing-record.projection';
export * from './lib/verify-database';
export * from './lib/signer-key';
export * from './lib/record-service';
export * from './lib/register';
export { testDraft } from './lib/test-drafts';
