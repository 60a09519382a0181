/**
 * Retries an assertion until it passes or the timeout ends; for read models
 * and subscriptions that settle asynchronously. Rethrows the last failure.
 */
export async function expectEventually(assertion: () => unknown, timeoutMs = 5000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
