import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (registry passwords and tokens): AES-256-GCM with a key derived by HKDF-SHA256
 * from DRYDOCK_SECRET_KEY, a 96-bit random IV and a full 128-bit tag. Stored as
 * `v2.<iv>.<tag>.<ciphertext>` (base64url). The purpose string picks the key, and the row the
 * value belongs to (`boundTo`, e.g. the registry's id) is authenticated as associated data: a
 * ciphertext copied into another column or another row does not decrypt.
 * `v1.` values (no associated data) are still read, and `resealLegacySecrets` rewrites them.
 */
const TAG_BYTES = 16;

function keyFor(secretKey: string, purpose: string): Buffer {
  if (secretKey.length < 32) throw new Error('the secret key must be at least 32 characters');
  return Buffer.from(hkdfSync('sha256', secretKey, 'drydock', `drydock:${purpose}`, 32));
}

const aad = (purpose: string, boundTo: string) => Buffer.from(`drydock:${purpose}:${boundTo}`);

export function sealSecret(
  secretKey: string,
  purpose: string,
  plaintext: string,
  boundTo: string,
): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secretKey, purpose), iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(aad(purpose, boundTo));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return `v2.${parts.join('.')}`;
}

export class SecretError extends Error {
  override name = 'SecretError';
}

export function openSecret(
  secretKey: string,
  purpose: string,
  sealed: string,
  boundTo: string,
): string {
  const [version, iv, tag, data, ...rest] = sealed.split('.');
  if ((version !== 'v1' && version !== 'v2') || !iv || !tag || data === undefined || rest.length) {
    throw new SecretError('stored secret has an unknown format');
  }
  const tagBytes = Buffer.from(tag, 'base64url');
  const ivBytes = Buffer.from(iv, 'base64url');
  if (tagBytes.length !== TAG_BYTES || ivBytes.length !== 12) {
    throw new SecretError('stored secret has an unknown format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secretKey, purpose), ivBytes, {
      authTagLength: TAG_BYTES,
    });
    if (version === 'v2') decipher.setAAD(aad(purpose, boundTo));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SecretError(
      'stored secret cannot be decrypted: DRYDOCK_SECRET_KEY differs from the key it was saved with, or the value was moved from another record',
    );
  }
}

/** Whether a stored value predates row binding (and should be sealed again). */
export const isLegacySecret = (sealed: string) => sealed.startsWith('v1.');
