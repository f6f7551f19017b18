/** A fixed key for tests: registry credentials sealed by the test are opened by the worker. */
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef-0123456789';

export { waitFor } from '../../../test/support/wait.ts';
