export * from './bytes';
export * from './merkle';
export * from './note';
export * from './record';
export * from './steps';
export * from './verify-entry';
export * from './bundle';
export * from './certificate';
