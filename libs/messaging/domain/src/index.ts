export * from './lib/send-policy';
export * from './lib/tenant-rules';
export * from './lib/template';
