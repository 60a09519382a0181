export default async function globalTeardown(): Promise<void> {
  await globalThis.__ATTEST_TEST_PG__?.stop();
}
