export * from './lib/migrations';
export * from './lib/requests.projection';
export * from './lib/requests.read-model';
export * from './lib/verification-codes';
export * from './lib/deletion-ledger';
export * from './lib/retained-data';
export * from './lib/bulk-jobs';
export * from './lib/jobs';
