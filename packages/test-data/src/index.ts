import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/**
 * The read-only shared test data (images, fixtures, advisories) lives beside the repository in
 * `../shared`, never inside it. Without it the tests fail loudly rather than skip.
 */
export function shared(...parts: string[]): string {
  const root = process.env.DRYDOCK_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
  if (!existsSync(root)) {
    throw new Error(
      `shared test data not found at ${root}: these tests read real images from ../shared (or DRYDOCK_SHARED_DIR)`,
    );
  }
  const file = path.join(root, ...parts);
  if (!existsSync(file)) throw new Error(`shared test data is missing ${file}`);
  return file;
}

export function sharedJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(shared(...parts), 'utf8')) as T;
}
