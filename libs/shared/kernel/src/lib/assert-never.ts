/** Compile-time exhaustiveness for switches over unions; throws if reached at run time. */
export function assertNever(value: never, message = 'Unexpected value'): never {
  throw new Error(`${message}: ${JSON.stringify(value)}`);
}
