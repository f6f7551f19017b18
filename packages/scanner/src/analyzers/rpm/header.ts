/**
 * Parses an rpm header blob as the rpm database stores it (no lead, no magic): index count and
 * data length, then 16-byte index entries (tag, type, offset, count), then the data store. All
 * integers are big-endian.
 */
export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIRENAME: 1049,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  MODULARITYLABEL: 5096,
} as const;

const TYPE_INT16 = 3;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

export type HeaderValue = string | string[] | number[];

export class RpmHeaderError extends Error {}

export function parseRpmHeader(blob: Buffer): Map<number, HeaderValue> {
  if (blob.length < 8) throw new RpmHeaderError('rpm header shorter than 8 bytes');
  const indexCount = blob.readUInt32BE(0);
  const dataLength = blob.readUInt32BE(4);
  const dataStart = 8 + indexCount * 16;
  if (indexCount > 0x10000 || dataStart + dataLength > blob.length) {
    throw new RpmHeaderError(
      `rpm header sizes out of range (${indexCount} entries, ${dataLength} bytes)`,
    );
  }
  const data = blob.subarray(dataStart, dataStart + dataLength);
  const values = new Map<number, HeaderValue>();
  const readString = (offset: number): [string, number] => {
    const end = data.indexOf(0, offset);
    const stop = end < 0 ? data.length : end;
    return [data.toString('utf8', offset, stop), stop + 1];
  };
  for (let i = 0; i < indexCount; i++) {
    const at = 8 + i * 16;
    const tag = blob.readInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    if (offset < 0 || offset > data.length) continue;
    switch (type) {
      case TYPE_STRING:
      case TYPE_I18NSTRING:
        values.set(tag, readString(offset)[0]);
        break;
      case TYPE_STRING_ARRAY: {
        const strings: string[] = [];
        let pos = offset;
        for (let n = 0; n < count && pos < data.length; n++) {
          const [value, nextPos] = readString(pos);
          strings.push(value);
          pos = nextPos;
        }
        values.set(tag, strings);
        break;
      }
      case TYPE_INT32: {
        const numbers: number[] = [];
        for (let n = 0; n < count && offset + n * 4 + 4 <= data.length; n++) {
          numbers.push(data.readInt32BE(offset + n * 4));
        }
        values.set(tag, numbers);
        break;
      }
      case TYPE_INT16: {
        const numbers: number[] = [];
        for (let n = 0; n < count && offset + n * 2 + 2 <= data.length; n++) {
          numbers.push(data.readUInt16BE(offset + n * 2));
        }
        values.set(tag, numbers);
        break;
      }
      default:
        break;
    }
  }
  return values;
}

export interface RpmPackageInfo {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  size?: number;
  files: string[];
  /** Capabilities, package names and file paths it requires (`rpmlib(...)` ones left out). */
  requires: string[];
  provides: string[];
}

const str = (v: HeaderValue | undefined) => (typeof v === 'string' ? v : undefined);
const nums = (v: HeaderValue | undefined) =>
  Array.isArray(v) && typeof v[0] === 'number' ? (v as number[]) : undefined;
const strs = (v: HeaderValue | undefined) =>
  Array.isArray(v) && (v.length === 0 || typeof v[0] === 'string') ? (v as string[]) : undefined;

export function rpmPackageFromHeader(blob: Buffer): RpmPackageInfo | undefined {
  const h = parseRpmHeader(blob);
  const name = str(h.get(TAG.NAME));
  const version = str(h.get(TAG.VERSION));
  if (!name || version === undefined) return undefined;
  const basenames = strs(h.get(TAG.BASENAMES)) ?? [];
  const dirnames = strs(h.get(TAG.DIRNAMES)) ?? [];
  const dirIndexes = nums(h.get(TAG.DIRINDEXES)) ?? [];
  let files = basenames.map((base, i) => `${dirnames[dirIndexes[i] ?? 0] ?? ''}${base}`);
  if (files.length === 0) files = strs(h.get(TAG.OLDFILENAMES)) ?? [];
  const epoch = nums(h.get(TAG.EPOCH))?.[0];
  const arch = str(h.get(TAG.ARCH));
  const sourceRpm = str(h.get(TAG.SOURCERPM));
  const license = str(h.get(TAG.LICENSE));
  const vendor = str(h.get(TAG.VENDOR));
  const size = nums(h.get(TAG.SIZE))?.[0];
  return {
    name,
    version,
    release: str(h.get(TAG.RELEASE)) ?? '',
    ...(epoch !== undefined ? { epoch } : {}),
    ...(arch ? { arch } : {}),
    ...(sourceRpm && sourceRpm !== '(none)' ? { sourceRpm } : {}),
    ...(license ? { license } : {}),
    ...(vendor ? { vendor } : {}),
    ...(size !== undefined ? { size } : {}),
    files,
    requires: (strs(h.get(TAG.REQUIRENAME)) ?? []).filter((r) => !r.startsWith('rpmlib(')),
    provides: strs(h.get(TAG.PROVIDENAME)) ?? [],
  };
}
