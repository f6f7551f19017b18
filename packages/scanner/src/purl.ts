/** Package URLs (https://github.com/package-url/purl-spec). */
export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
  subpath?: string;
}

const encode = (value: string) =>
  encodeURIComponent(value)
    .replace(/%3A/gi, '%3A')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function purl(parts: PurlParts): string {
  let out = `pkg:${parts.type}/`;
  if (parts.namespace) out += `${parts.namespace.split('/').map(encode).join('/')}/`;
  out += encode(parts.name);
  if (parts.version) out += `@${encode(parts.version)}`;
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((entry): entry is [string, string] => !!entry[1])
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${encode(v)}`);
  if (qualifiers.length) out += `?${qualifiers.join('&')}`;
  if (parts.subpath) out += `#${parts.subpath.split('/').map(encode).join('/')}`;
  return out;
}
