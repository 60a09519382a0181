export * from './lib/ports';
export * from './lib/classifications';
export * from './lib/messaging.service';
