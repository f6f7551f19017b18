import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (registry passwords and tokens): AES-256-GCM with a key derived by HKDF-SHA256
 * from DRYDOCK_SECRET_KEY. Stored as `v1.<iv>.<tag>.<ciphertext>` (base64url). The purpose string
 * binds a ciphertext to its use, so a value cannot be moved to another column and decrypted.
 */
function keyFor(secretKey: string, purpose: string): Buffer {
  if (secretKey.length < 32) throw new Error('the secret key must be at least 32 characters');
  return Buffer.from(hkdfSync('sha256', secretKey, 'drydock', `drydock:${purpose}`, 32));
}

export function sealSecret(secretKey: string, purpose: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secretKey, purpose), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return `v1.${parts.join('.')}`;
}

export class SecretError extends Error {
  override name = 'SecretError';
}

export function openSecret(secretKey: string, purpose: string, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) {
    throw new SecretError('stored secret has an unknown format');
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyFor(secretKey, purpose),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SecretError(
      'stored secret cannot be decrypted: DRYDOCK_SECRET_KEY differs from the key it was saved with',
    );
  }
}
