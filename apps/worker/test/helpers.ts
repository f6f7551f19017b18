/** A fixed key for tests: registry credentials sealed by the test are opened by the worker. */
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef-0123456789';

export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
