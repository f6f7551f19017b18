import { createRequire } from 'node:module';
import initSqlJs from 'sql.js';

/** The header blobs of every installed package, whatever the database format. */
export type RpmDbFormat = 'sqlite' | 'bdb' | 'ndb';

export class RpmDbError extends Error {}

// --- sqlite (rpm >= 4.16: rpmdb.sqlite, table Packages(hnum, blob)) -----------------------------

let sqlModule: ReturnType<typeof initSqlJs> | undefined;
function sql() {
  if (!sqlModule) {
    const require = createRequire(import.meta.url);
    const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
    sqlModule = initSqlJs({ locateFile: () => wasm });
  }
  return sqlModule;
}

export async function sqliteBlobs(data: Buffer): Promise<Buffer[]> {
  const SQL = await sql();
  let db: InstanceType<typeof SQL.Database>;
  try {
    db = new SQL.Database(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (error) {
    throw new RpmDbError(`not a readable sqlite database: ${String(error)}`);
  }
  try {
    const blobs: Buffer[] = [];
    const statement = db.prepare('SELECT blob FROM Packages');
    while (statement.step()) {
      const value = statement.get()[0];
      if (value instanceof Uint8Array) blobs.push(Buffer.from(value));
    }
    statement.free();
    return blobs;
  } catch (error) {
    throw new RpmDbError(`sqlite rpmdb without a readable Packages table: ${String(error)}`);
  } finally {
    db.close();
  }
}

// --- BerkeleyDB hash (rpm < 4.16: Packages) ---------------------------------------------------

const BDB_HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_HASH = 13;
const H_OFFPAGE = 3;

export function bdbBlobs(data: Buffer): Buffer[] {
  if (data.length < 512) throw new RpmDbError('BerkeleyDB file too short');
  let le = true;
  if (data.readUInt32LE(12) !== BDB_HASH_MAGIC) {
    if (data.readUInt32BE(12) !== BDB_HASH_MAGIC)
      throw new RpmDbError('not a BerkeleyDB hash database');
    le = false;
  }
  const u32 = (at: number) => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const u16 = (at: number) => (le ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const pageSize = u32(20);
  const lastPage = u32(32);
  if (pageSize < 512 || pageSize > 65536 || (lastPage + 1) * pageSize > data.length) {
    throw new RpmDbError(
      `BerkeleyDB page layout out of range (page size ${pageSize}, last page ${lastPage})`,
    );
  }
  const blobs: Buffer[] = [];
  for (let page = 0; page <= lastPage; page++) {
    const start = page * pageSize;
    const type = data[start + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(start + 20);
    // Entries alternate key, value; values of rpm headers live on overflow pages.
    for (let i = 1; i < entries; i += 2) {
      const itemOffset = u16(start + PAGE_HEADER + i * 2);
      const item = start + itemOffset;
      if (item + 12 > start + pageSize || data[item] !== H_OFFPAGE) continue;
      let next = u32(item + 4);
      const length = u32(item + 8);
      const parts: Buffer[] = [];
      let total = 0;
      for (let hops = 0; next !== 0 && hops <= lastPage; hops++) {
        const overflow = next * pageSize;
        if (overflow + pageSize > data.length)
          throw new RpmDbError(`overflow page ${next} out of range`);
        const nextPage = u32(overflow + 16);
        const used = nextPage === 0 ? u16(overflow + 22) : pageSize - PAGE_HEADER;
        parts.push(data.subarray(overflow + PAGE_HEADER, overflow + PAGE_HEADER + used));
        total += used;
        next = nextPage;
      }
      const blob = Buffer.concat(parts, total);
      blobs.push(length > 0 && length <= blob.length ? blob.subarray(0, length) : blob);
    }
  }
  return blobs;
}

// --- ndb (SUSE: Packages.db) --------------------------------------------------------------------

const NDB_HEADER_MAGIC = 0x506d7052; // 'RpmP'
const NDB_SLOT_MAGIC = 0x746f6c53; // 'Slot'
const NDB_BLOB_MAGIC = 0x53626c42; // 'BlbS'
const NDB_PAGE = 4096;
const NDB_BLOCK = 16;

export function ndbBlobs(data: Buffer): Buffer[] {
  if (data.length < 32 || data.readUInt32LE(0) !== NDB_HEADER_MAGIC) {
    throw new RpmDbError('not an rpm ndb database');
  }
  if (data.readUInt32LE(4) !== 0)
    throw new RpmDbError(`unsupported ndb version ${data.readUInt32LE(4)}`);
  const slotPages = data.readUInt32LE(12);
  const slotCount = slotPages * (NDB_PAGE / 16) - 2;
  if (slotPages === 0 || 32 + slotCount * 16 > data.length)
    throw new RpmDbError('ndb slot area out of range');
  const blobs: Buffer[] = [];
  for (let i = 0; i < slotCount; i++) {
    const at = 32 + i * 16;
    if (data.readUInt32LE(at) !== NDB_SLOT_MAGIC) throw new RpmDbError(`ndb slot ${i} is damaged`);
    const pkgIndex = data.readUInt32LE(at + 4);
    if (pkgIndex === 0) continue;
    const offset = data.readUInt32LE(at + 8) * NDB_BLOCK;
    if (offset + 16 > data.length || data.readUInt32LE(offset) !== NDB_BLOB_MAGIC) {
      throw new RpmDbError(`ndb blob of package ${pkgIndex} is damaged`);
    }
    if (data.readUInt32LE(offset + 4) !== pkgIndex)
      throw new RpmDbError(`ndb blob ${pkgIndex} mismatched`);
    const length = data.readUInt32LE(offset + 12);
    if (offset + 16 + length > data.length) throw new RpmDbError(`ndb blob ${pkgIndex} truncated`);
    blobs.push(data.subarray(offset + 16, offset + 16 + length));
  }
  return blobs;
}

export function detectRpmDb(data: Buffer): RpmDbFormat | undefined {
  if (data.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  if (data.length >= 4 && data.readUInt32LE(0) === NDB_HEADER_MAGIC) return 'ndb';
  if (
    data.length >= 16 &&
    (data.readUInt32LE(12) === BDB_HASH_MAGIC || data.readUInt32BE(12) === BDB_HASH_MAGIC)
  ) {
    return 'bdb';
  }
  return undefined;
}

export async function rpmHeaderBlobs(data: Buffer): Promise<Buffer[]> {
  switch (detectRpmDb(data)) {
    case 'sqlite':
      return sqliteBlobs(data);
    case 'ndb':
      return ndbBlobs(data);
    case 'bdb':
      return bdbBlobs(data);
    default:
      throw new RpmDbError('unknown rpm database format');
  }
}
