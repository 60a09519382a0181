export default async function globalTeardown(): Promise<void> {
  const pg = globalThis.__ATTEST_TEST_PG__;
  if (!pg) return;
  // Ephemeral: stopping removes its data directory too.
  await pg.server.stop();
}
