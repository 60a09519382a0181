export * from './lib/purposes';
export * from './lib/consent';
export * from './lib/decision';
export * from './lib/point-in-time';
