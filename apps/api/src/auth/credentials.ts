import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** Passwords: bcrypt (bcryptjs, cost 12). */
export const hashPassword = (password: string) => bcrypt.hash(password, 12);
export const verifyPassword = (password: string, hash: string) => bcrypt.compare(password, hash);
/** A hash to compare against when the user does not exist, so timing does not reveal it. */
export const DUMMY_HASH = bcrypt.hashSync('drydock-no-such-user', 12);

/** High-entropy secrets (session cookies, API tokens, setup tokens): stored as sha256 only. */
export const newSecret = (prefix = '') => `${prefix}${randomBytes(32).toString('base64url')}`;
export const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
