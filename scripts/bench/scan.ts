// Scan benchmark: wall time, throughput and peak RSS of a cold OS inventory, next to the time of
// `gzip -dc | tar -t` (or zstd/cat for other layers) over the same layer blobs, in the same run.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { detectCompression, openImage, peek } from '@drydock/scanner';

const root = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const syntheticAt = args.indexOf('--synthetic');

async function synthetic(mib: number): Promise<string> {
  // One big gzip layer of incompressible-ish files plus a dpkg status, written as an OCI layout.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-bench-'));
  const blobs = path.join(dir, 'blobs/sha256');
  await mkdir(blobs, { recursive: true });
  const tmp = path.join(dir, 'layer.tmp');
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  const gzip = zlib.createGzip({ level: 1 });
  const out = createWriteStream(tmp);
  gzip.on('data', (c: Buffer) => blobHash.update(c));
  const done = pipeline(gzip, out);
  const write = (b: Buffer) => {
    diffHash.update(b);
    return gzip.write(b)
      ? Promise.resolve()
      : new Promise<void>((r) => gzip.once('drain', () => r()));
  };
  const header = (name: string, size: number) => {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return h;
  };
  const status = Buffer.from(
    Array.from(
      { length: 300 },
      (_, i) =>
        `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}\nArchitecture: amd64\n`,
    ).join('\n'),
  );
  const file = async (name: string, data: Buffer) => {
    await write(header(name, data.length));
    await write(Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]));
  };
  await file('var/lib/dpkg/status', status);
  await file('etc/os-release', Buffer.from('ID=debian\nVERSION_ID=12\n'));
  const fileSize = 256 * 1024;
  const body = Buffer.alloc(fileSize);
  for (let i = 0; i < (mib * 1024 * 1024) / fileSize; i++) {
    for (let j = 0; j < fileSize; j += 4) body.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
    await write(header(`data/f${i}.bin`, fileSize));
    await write(body);
  }
  await write(Buffer.alloc(1024));
  gzip.end();
  await done;
  const diffId = `sha256:${diffHash.digest('hex')}`;
  const digest = `sha256:${blobHash.digest('hex')}`;
  const { rename } = await import('node:fs/promises');
  await rename(tmp, path.join(blobs, digest.slice(7)));
  const put = async (obj: unknown) => {
    const data = Buffer.from(JSON.stringify(obj));
    const d = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    await writeFile(path.join(blobs, d.slice(7)), data);
    return { digest: d, size: data.length };
  };
  const config = await put({
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: [diffId] },
  });
  const size = (await stat(path.join(blobs, digest.slice(7)))).size;
  const manifest = await put({
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size }],
  });
  await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }],
    }),
  );
  return dir;
}

/** Time of the plain-tools baseline over the same blobs. */
async function baseline(image: string): Promise<number> {
  const handle = await openImage(image);
  const started = performance.now();
  await handle.source.forEach(
    handle.layers.map((l) => l.blobName),
    async (_name, stream) => {
      const head = await peek(stream, 8);
      const decompress = { gzip: 'gzip -dc', zstd: 'zstd -dc', none: 'cat' }[
        detectCompression(head)
      ];
      const child = spawn('sh', ['-c', `${decompress} | tar -t > /dev/null`], {
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      const exited = new Promise((r) => child.on('exit', r));
      await pipeline(stream, child.stdin);
      await exited;
    },
  );
  const elapsed = performance.now() - started;
  await handle.close();
  return elapsed;
}

function scanOnce(image: string): {
  wallMs: number;
  maxRssMb: number;
  bytes: number;
  packages: number;
} {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'scan-once.ts'), image],
    { cwd: root, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
}

const image =
  syntheticAt >= 0
    ? await synthetic(Number(args[syntheticAt + 1] ?? 512))
    : args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
if (!image) {
  console.error('usage: pnpm bench scan <image> [--runs N] | --synthetic <MiB>');
  process.exit(2);
}
const results = [];
const baselines = [];
for (let i = 0; i < runs; i++) {
  results.push(scanOnce(image));
  baselines.push(await baseline(image));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const wall = median(results.map((r) => r.wallMs));
const base = median(baselines);
const bytes = results[0]?.bytes ?? 0;
console.log(
  `image            ${syntheticAt >= 0 ? `synthetic ${args[syntheticAt + 1]} MiB` : image}`,
);
console.log(`layer bytes      ${(bytes / 1024 / 1024).toFixed(1)} MiB (as stored)`);
console.log(`packages         ${results[0]?.packages}`);
console.log(`scan wall        ${wall.toFixed(0)} ms (median of ${runs})`);
console.log(
  `throughput       ${(bytes / 1024 / 1024 / (wall / 1000)).toFixed(1)} MB/s of stored layers`,
);
console.log(`baseline         ${base.toFixed(0)} ms  (decompress | tar -t over the same blobs)`);
console.log(`ratio            ${(wall / base).toFixed(2)}x baseline (goal <= 1.5x)`);
console.log(
  `peak RSS         ${Math.max(...results.map((r) => r.maxRssMb)).toFixed(0)} MB (goal <= 400 MB)`,
);
if (syntheticAt >= 0) await rm(image, { recursive: true, force: true });
