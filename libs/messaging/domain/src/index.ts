export * from './lib/send-policy';
export * from './lib/tenant-rules';
export * from './lib/template';
export * from './lib/campaign';
