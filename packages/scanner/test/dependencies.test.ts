import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Package } from '@drydock/contract';
import { shared } from '@drydock/test-data';
import { readDockerArchiveFile, tarBuffer, writeOciLayout } from '@drydock/test-data/build-image';
import { afterAll, describe, expect, it } from 'vitest';
import { parseApkInstalled } from '../src/analyzers/os/apk.ts';
import { linkDependencies } from '../src/analyzers/os/types.ts';
import { scanImage } from '../src/index.ts';

// Dependency relationships as the package managers themselves resolve them: rpm answers
// --whatprovides from the database, dpkg-query prints the relationship fields it recorded.

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function imageWith(files: { name: string; data: Buffer }[]) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-deps-'));
  dirs.push(dir);
  await writeOciLayout(dir, [
    { tar: tarBuffer(files.map((f) => ({ path: f.name, content: f.data }))) },
  ]);
  return (await scanImage(dir)).report;
}

/** Name → names of the packages it depends on, from an inventory. */
function dependencyNames(packages: Package[], type: Package['type']) {
  const nameOf = new Map(packages.map((p) => [p.purl, p.name]));
  return new Map(
    packages
      .filter((p) => p.type === type)
      .map((p) => [p.name, new Set((p.dependsOn ?? []).map((d) => nameOf.get(d) ?? `?${d}`))]),
  );
}

// dpkg-query's own field syntax, not a template string.
const DPKG_FORMAT = ['Package', 'Pre-Depends', 'Depends', 'Provides']
  .map((f) => `\${${f}}`)
  .join('\t')
  .concat('\n');

describe('OS package dependencies', () => {
  it.each([
    ['cbl-mariner-2.0', 'rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite'],
    ['amazonlinux2023-plain', 'rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite'],
  ])(
    '%s: every package depends on exactly what rpm says provides its requirements',
    async (dir, file, at) => {
      const db = shared('fixtures', 'rpmdb', dir, file);
      const rpmDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-rpmdb-'));
      dirs.push(rpmDir);
      copyFileSync(db, path.join(rpmDir, file));
      const rpm = (...args: string[]) =>
        execFileSync('rpm', ['--dbpath', rpmDir, ...args], { encoding: 'utf8' });
      const report = await imageWith([
        { name: 'etc/os-release', data: Buffer.from('ID=fedora\nVERSION_ID=1\n') },
        { name: at, data: readFileSync(db) },
      ]);
      const ours = dependencyNames(report.packages, 'rpm');
      const names = rpm('-qa', '--qf', '%{NAME}\n').trim().split('\n');
      expect(names.length).toBeGreaterThan(1);
      let withDependencies = 0;
      for (const name of new Set(names)) {
        if (name === 'gpg-pubkey') continue;
        const requires = rpm('-q', '--qf', '[%{REQUIRENAME}\n]', name)
          .trim()
          .split('\n')
          .filter((r) => r && !r.startsWith('rpmlib('));
        const providers = new Set<string>();
        if (requires.length) {
          let out = '';
          try {
            out = rpm('-q', '--whatprovides', '--qf', '%{NAME}\n', ...requires);
          } catch (error) {
            out = String((error as { stdout?: string }).stdout ?? ''); // some requirement unmet
          }
          for (const line of out.trim().split('\n'))
            if (line && !line.startsWith('no package provides')) providers.add(line);
        }
        providers.delete(name);
        if (providers.size) withDependencies++;
        expect([...(ours.get(name) ?? [])].sort(), name).toEqual([...providers].sort());
      }
      expect(withDependencies).toBeGreaterThan(10);
    },
  );

  it('Ubuntu 22.04 dpkg status: each Depends/Pre-Depends entry an installed package satisfies is a dependency, nothing else is', async () => {
    const status = readFileSync(shared('images', 'ubuntu', 'dpkg-status'));
    const admin = await mkdtemp(path.join(os.tmpdir(), 'drydock-dpkg-'));
    dirs.push(admin);
    mkdirSync(path.join(admin, 'info'));
    copyFileSync(shared('images', 'ubuntu', 'dpkg-status'), path.join(admin, 'status'));
    const rows = execFileSync('dpkg-query', ['--admindir', admin, '-W', '-f', DPKG_FORMAT], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map((line) => line.split('\t') as [string, string, string, string]);
    const installed = new Set(rows.map(([name]) => name));
    const names = (field: string) =>
      field
        .split(/[,|]/)
        .map((alt) => alt.trim().split(/[\s(:]/)[0] as string)
        .filter(Boolean);
    const providersOf = new Map<string, string[]>();
    for (const [name, , , provides] of rows)
      for (const virtual of names(provides))
        providersOf.set(virtual, [...(providersOf.get(virtual) ?? []), name]);
    const report = await imageWith([
      { name: 'etc/os-release', data: readFileSync(shared('images', 'ubuntu', 'os-release')) },
      { name: 'var/lib/dpkg/status', data: status },
    ]);
    const ours = dependencyNames(report.packages, 'deb');
    let entries = 0;
    for (const [name, pre, depends] of rows) {
      const mine = ours.get(name) ?? new Set();
      const allowed = new Set<string>();
      for (const entry of [pre, depends]
        .join(',')
        .split(',')
        .filter((e) => e.trim())) {
        const satisfiers = names(entry).flatMap((alt) => [
          ...(installed.has(alt) ? [alt] : []),
          ...(providersOf.get(alt) ?? []),
        ]);
        for (const s of satisfiers) allowed.add(s);
        if (satisfiers.length && !satisfiers.every((s) => s === name)) {
          entries++;
          expect(
            satisfiers.some((s) => mine.has(s)),
            `${name}: ${entry.trim()}`,
          ).toBe(true);
        }
      }
      for (const d of mine) expect(allowed.has(d), `${name} → ${d}`).toBe(true);
    }
    expect(entries).toBeGreaterThan(200);
    expect(ours.get('apt')).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    expect([...(ours.get('apt') ?? [])]).toEqual(
      expect.arrayContaining(['libapt-pkg6.0', 'libc6', 'gpgv', 'adduser']),
    );
  });

  it('Alpine 3.11: apk D: entries resolve through names and so:/cmd: providers', async () => {
    const report = (await scanImage(shared('images', 'alpine-311.tar.gz'))).report;
    const ours = dependencyNames(report.packages, 'apk');
    expect([...(ours.get('apk-tools') ?? [])].sort()).toEqual([
      'libcrypto1.1',
      'libssl1.1',
      'musl',
      'zlib',
    ]);
    expect([...(ours.get('busybox') ?? [])]).toEqual(['musl']);
  });

  it('alternatives take the first installed one, a provider stands for a virtual name, a file for its owner; nothing is invented', () => {
    const records = parseApkInstalled(
      [
        'P:app\nV:1\nD:!conflict so:libfoo.so.1 cmd:sh missing>=2 /etc/owned.conf\n',
        'P:libfoo\nV:1\np:so:libfoo.so.1=1.0\n',
        'P:shell\nV:1\np:cmd:sh\nF:etc\nR:owned.conf\n',
        'P:conflict\nV:1\n',
        '',
      ].join('\n'),
    );
    expect(records.find((r) => r.name === 'app')?.dependsOn).toEqual(['libfoo', 'shell']);
    const dpkgLike = [
      {
        name: 'a',
        version: '1',
        type: 'deb' as const,
        path: 's',
        ownedFiles: [],
        requires: [['x', 'b'], ['c']],
      },
      { name: 'b', version: '1', type: 'deb' as const, path: 's', ownedFiles: [] },
      { name: 'p', version: '1', type: 'deb' as const, path: 's', ownedFiles: [], provides: ['c'] },
    ];
    linkDependencies(dpkgLike);
    expect((dpkgLike[0] as { dependsOn?: string[] }).dependsOn).toEqual(['b', 'p']);
  });
});

describe('application package dependencies and hashes', () => {
  it("debian12-node-app: installed npm packages depend on what Node.js would load (nested copies first); the lock file's integrity stays with them", async () => {
    const archive = readFileSync(shared('images', 'debian12-node-app.tar'));
    const manifest = (name: string) =>
      JSON.parse(
        String(readDockerArchiveFile(archive, `app/node_modules/${name}/package.json`)),
      ) as {
        dependencies?: Record<string, string>;
      };
    const lock = JSON.parse(String(readDockerArchiveFile(archive, 'app/package-lock.json'))) as {
      packages: Record<string, { integrity?: string }>;
    };
    const { report } = await scanImage(shared('images', 'debian12-node-app.tar'));
    const npm = report.packages.filter((p) => p.type === 'npm');
    const at = (dir: string) => npm.find((p) => p.path === `app/${dir}/package.json`);
    // Every dependency express's manifest declares resolves to the installed copy.
    const express = at('node_modules/express');
    const declared = Object.keys(manifest('express').dependencies ?? {});
    expect(declared.length).toBeGreaterThan(20);
    expect(express?.dependsOn?.map((d) => d.replace(/^pkg:npm\/(.+)@[^@]+$/, '$1')).sort()).toEqual(
      declared.sort(),
    );
    // Nested copies win: send and jsonwebtoken load their own ms, debug the top-level one.
    expect(at('node_modules/send')?.dependsOn).toContain(
      at('node_modules/send/node_modules/ms')?.purl,
    );
    expect(at('node_modules/jsonwebtoken')?.dependsOn).toContain(
      at('node_modules/jsonwebtoken/node_modules/ms')?.purl,
    );
    expect(at('node_modules/debug')?.dependsOn).toContain(at('node_modules/ms')?.purl);
    const purls = new Set(npm.map((p) => p.purl));
    for (const p of npm) for (const d of p.dependsOn ?? []) expect(purls).toContain(d);
    // Hashes: the SHA-512 of the lock file's integrity for the same node_modules path.
    let compared = 0;
    for (const p of npm) {
      const key = p.path.replace(/^app\//, '').replace(/\/package\.json$/, '');
      const integrity = lock.packages[key]?.integrity;
      if (!integrity?.startsWith('sha512-')) continue;
      compared++;
      expect(p.hashes, key).toContainEqual({
        alg: 'SHA-512',
        content: Buffer.from(integrity.slice(7), 'base64').toString('hex'),
      });
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('Python: Requires-Dist resolves in the same site directory first; optional extras are not dependencies', async () => {
    const site = 'usr/lib/python3/dist-packages';
    const venv = 'opt/venv/lib/python3.11/site-packages';
    const meta = (name: string, version: string, ...requires: string[]) =>
      Buffer.from(
        [
          'Metadata-Version: 2.1',
          `Name: ${name}`,
          `Version: ${version}`,
          ...requires.map((r) => `Requires-Dist: ${r}`),
          '',
          'Body text.',
        ].join('\n'),
      );
    const report = await imageWith([
      {
        name: `${site}/requests-2.31.0.dist-info/METADATA`,
        data: meta(
          'requests',
          '2.31.0',
          'charset-normalizer (<4,>=2)',
          'idna (<4,>=2.5)',
          'urllib3 (<3,>=1.21.1)',
          'certifi (>=2017.4.17)',
          "PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'",
          "chardet (<6,>=3.0.2) ; extra == 'use_chardet_on_py3'",
        ),
      },
      {
        name: `${site}/charset_normalizer-3.3.2.dist-info/METADATA`,
        data: meta('charset-normalizer', '3.3.2'),
      },
      { name: `${site}/idna-3.6.dist-info/METADATA`, data: meta('idna', '3.6') },
      { name: `${site}/urllib3-2.1.0.dist-info/METADATA`, data: meta('urllib3', '2.1.0') },
      {
        name: `${venv}/certifi-2023.11.17.dist-info/METADATA`,
        data: meta('certifi', '2023.11.17'),
      },
      { name: `${venv}/idna-2.10.dist-info/METADATA`, data: meta('idna', '2.10') },
      { name: `${venv}/chardet-5.2.0.dist-info/METADATA`, data: meta('chardet', '5.2.0') },
    ]);
    const requests = report.packages.find((p) => p.name === 'requests');
    expect(requests?.dependsOn?.sort()).toEqual([
      'pkg:pypi/certifi@2023.11.17',
      'pkg:pypi/charset-normalizer@3.3.2',
      'pkg:pypi/idna@3.6',
      'pkg:pypi/urllib3@2.1.0',
    ]);
  });

  it('debian12-python-java: a jar that is one component carries its SHA-1', async () => {
    const { report } = await scanImage(shared('images', 'debian12-python-java.oci.tar'));
    const war = report.packages.find((p) => p.type === 'maven' && p.path === 'opt/app/app.war');
    expect(war?.hashes?.[0]?.alg).toBe('SHA-1');
    expect(war?.hashes?.[0]?.content).toMatch(/^[0-9a-f]{40}$/);
  });
});
