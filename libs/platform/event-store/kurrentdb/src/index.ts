export * from './lib/kurrentdb-event-store';
export * from './lib/kurrentdb-mapping';
