import { RegistryError } from '../src/index.ts';

/** The RegistryError a promise rejects with (anything else fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('expected a RegistryError');
}
