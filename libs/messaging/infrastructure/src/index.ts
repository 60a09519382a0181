export * from './lib/cloud-api/wire';
export * from './lib/cloud-api/cloud-api.client';
export * from './lib/cloud-api/webhook';
