export * from './lib/uuid';
export * from './lib/clock';
export * from './lib/json';
export * from './lib/assert-never';
export * from './lib/domain-error';
export * from './lib/decider';
export * from './lib/dates';
export * from './lib/processing-kinds';
