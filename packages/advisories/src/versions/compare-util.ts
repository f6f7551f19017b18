/** Compares two strings of decimal digits of any length (no precision loss). */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

export const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

export const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
export const isAlpha = (c: string | undefined) =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
