import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OsFamilySchema, PackageTypeSchema, type ScanReport } from '@drydock/contract';
import { scanImage } from '@drydock/scanner';
import { shared, sharedJson } from '@drydock/test-data';
import {
  readDockerArchiveFile,
  type TarEntrySpec,
  tarBuffer,
  writeOciLayout,
} from '@drydock/test-data/build-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdvisoryDb,
  advisoryTarget,
  assessInventory,
  DEFAULT_ECOSYSTEMS,
  importAdvisories,
  prioritize,
} from '../src/index.ts';

let tmp: string;
let db: AdvisoryDb;
let empty: AdvisoryDb;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'drydock-coverage-'));
  db = await AdvisoryDb.open(path.join(tmp, 'db'));
  await importAdvisories(db, shared('advisories'));
  empty = await AdvisoryDb.open(path.join(tmp, 'empty'));
}, 180_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A one-layer image holding exactly these files. */
async function imageOf(name: string, entries: TarEntrySpec[]): Promise<ScanReport> {
  const dir = path.join(tmp, name);
  await writeOciLayout(dir, [{ tar: tarBuffer(entries), createdBy: 'COPY rootfs /' }]);
  return (await scanImage(dir)).report;
}

interface ExpectedRecord {
  id: string;
  sourcePackage: string | null;
  binaryPackages: { name: string; version: string }[];
  fixedVersion: string | null;
  affected: boolean;
  withdrawn: string | null;
}

describe('Ubuntu 22.04 (real dpkg status and os-release, real Ubuntu OSV records)', () => {
  const expected = sharedJson<{ ecosystem: string; findings: ExpectedRecord[] }>(
    'images',
    'ubuntu',
    'expected-findings.json',
  );
  let report: ScanReport;
  beforeAll(async () => {
    report = await imageOf('ubuntu', [
      // As in the original root filesystem: etc/os-release links to usr/lib/os-release.
      {
        path: 'usr/lib/os-release',
        content: readFileSync(shared('images', 'ubuntu', 'os-release')),
      },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      {
        path: 'var/lib/dpkg/status',
        content: readFileSync(shared('images', 'ubuntu', 'dpkg-status')),
      },
    ]);
  });

  it('looks in the ecosystem the OSV schema names for the release (Ubuntu:22.04:LTS)', () => {
    expect(report.os).toMatchObject({ family: 'ubuntu', version: '22.04' });
    const target = advisoryTarget('deb', report.os);
    expect('exact' in target && target.exact).toContain(expected.ecosystem);
  });

  it('reports every affected binary package of every expected record, and none of the others', async () => {
    const { findings, gaps, checked } = await assessInventory(report, db);
    expect(gaps).toEqual([]);
    expect(checked).toEqual([
      { label: 'Ubuntu 22.04', ecosystems: [expected.ecosystem], packages: 117 },
    ]);
    const found = new Set(
      findings.flatMap((f) => f.advisoryIds.map((id) => `${id}|${f.packageName}`)),
    );
    const affected = expected.findings.filter((r) => r.affected);
    expect(affected.length).toBe(20);
    for (const record of affected) {
      for (const binary of record.binaryPackages) {
        expect(found, `${record.id} in ${binary.name}`).toContain(`${record.id}|${binary.name}`);
      }
      const finding = findings.find((f) => f.advisoryIds.includes(record.id));
      expect(finding?.fixedVersion ?? null).toBe(record.fixedVersion);
    }
    for (const record of expected.findings.filter((r) => !r.affected)) {
      expect(
        findings.filter((f) => f.advisoryIds.includes(record.id)).map((f) => f.packageName),
        `${record.id} is not affected`,
      ).toEqual([]);
    }
  });
});

describe('never silent: what could not be checked is said', () => {
  const rpmImage = (name: string, dbFile: string, osRelease: string) =>
    imageOf(name, [
      { path: 'etc/os-release', content: osRelease },
      {
        path: dbFile.endsWith('.db')
          ? 'usr/lib/sysimage/rpm/Packages.db'
          : 'var/lib/rpm/rpmdb.sqlite',
        content: readFileSync(shared('fixtures', 'rpmdb', name, path.basename(dbFile))),
      },
    ]);

  it('an OS release no advisory source publishes (Amazon Linux 2023): its packages are not checked, and the warning says so', async () => {
    const report = await rpmImage(
      'amazonlinux2023-plain',
      'rpmdb.sqlite',
      'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\nPRETTY_NAME="Amazon Linux 2023"\n',
    );
    const count = report.packages.length;
    expect(count).toBeGreaterThan(100);
    const { findings, warnings, gaps } = await assessInventory(report, db);
    expect(findings).toEqual([]);
    expect(gaps).toEqual([
      expect.objectContaining({ category: 'system', kind: 'unsupported', packages: count }),
    ]);
    expect(warnings).toEqual([
      {
        code: 'advisories_unsupported',
        message: `no advisories for Amazon Linux 2023: ${count} system packages not checked for vulnerabilities (no OSV advisory source publishes Amazon Linux 2023)`,
      },
    ]);
  });

  it('a release the database has no records for (SUSE, not imported) is named with its ecosystem', async () => {
    const report = await rpmImage(
      'sle15-bci',
      'Packages.db',
      'NAME="SLES"\nVERSION="15-SP6"\nVERSION_ID="15.6"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP6"\nID="sles"\nID_LIKE="suse"\n',
    );
    const { warnings, gaps } = await assessInventory(report, db);
    expect(gaps).toEqual([
      expect.objectContaining({
        kind: 'not_imported',
        ecosystems: ['SUSE:SUSE Linux Enterprise Server 15 SP6'],
        packages: report.packages.length,
      }),
    ]);
    expect(warnings[0]?.message).toMatch(
      /in the database \(SUSE:SUSE Linux Enterprise Server 15 SP6\)/,
    );
  });

  it('an empty database checks nothing and says so for every source the image needs', async () => {
    const report = (await scanImage(shared('images', 'debian12-python-java.oci.tar'))).report;
    const { findings, gaps, checked } = await assessInventory(report, empty);
    expect(findings).toEqual([]);
    expect(checked).toEqual([]);
    const labels = gaps.map((g) => `${g.category}:${g.label}`).sort();
    expect(labels).toContain('system:Debian 12');
    expect(labels).toContain('application:PyPI');
    expect(labels).toContain('application:Maven');
    const total = gaps.reduce((n, g) => n + g.packages, 0);
    expect(total).toBe(report.packages.filter((p) => !p.declared).length);
    // With the database imported, the same image is fully checked.
    expect((await assessInventory(report, db)).gaps).toEqual([]);
  });

  it('an OS nobody identifies still gets a warning, never a clean bill', async () => {
    const report = await imageOf('unknown-os', [
      { path: 'etc/os-release', content: 'ID=exampleos\nNAME="Example OS"\nVERSION_ID=1\n' },
      {
        path: 'var/lib/dpkg/status',
        content: readFileSync(shared('images', 'ubuntu', 'dpkg-status')),
      },
    ]);
    expect(report.os).toMatchObject({ family: 'unknown', prettyName: 'Example OS' });
    const { warnings } = await assessInventory(report, db);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'advisories_unsupported',
        message: expect.stringMatching(/^no advisories for Example OS: 117 system packages/),
      }),
    ]);
  });
});

describe('OSV ecosystem names per distribution (osv-schema "Defined ecosystems")', () => {
  const os = (family: string, version: string, prettyName?: string) =>
    ({ family, version, source: 'etc/os-release', ...(prettyName ? { prettyName } : {}) }) as never;
  it.each([
    ['deb', os('debian', '12'), ['Debian:12'], []],
    ['deb', os('ubuntu', '24.04'), ['Ubuntu:24.04:LTS', 'Ubuntu:24.04'], []],
    ['apk', os('alpine', '3.19.1'), ['Alpine:v3.19'], []],
    ['apk', os('wolfi', '20230201'), ['Wolfi'], []],
    ['apk', os('chainguard', '20230214'), ['Chainguard'], []],
    ['rpm', os('almalinux', '9.4'), ['AlmaLinux:9'], []],
    ['rpm', os('rocky', '8.10'), ['Rocky Linux:8'], []],
    ['rpm', os('rhel', '9.4'), ['Red Hat:enterprise_linux:9'], ['Red Hat:enterprise_linux:9::']],
    ['rpm', os('opensuse', '15.5', 'openSUSE Leap 15.5'), ['openSUSE:openSUSE Leap 15.5'], []],
    ['rpm', os('photon', '5.0'), ['Photon OS:5.0'], []],
    ['rpm', os('openeuler', '22.03-LTS-SP1'), ['openEuler:22.03-LTS-SP1'], []],
    ['rpm', os('mageia', '9'), ['Mageia:9'], []],
  ] as const)('%s on %o', (type, info, exact, prefixes) => {
    expect(advisoryTarget(type, info)).toMatchObject({ exact, prefixes });
  });
  it.each([
    os('fedora', '41', 'Fedora Linux 41 (Container Image)'),
    os('amazon', '2'),
    os('centos', '9', 'CentOS Stream 9'),
    os('oracle', '9.4'),
  ])('%o has no OSV source: unsupported with a reason', (info) => {
    expect(advisoryTarget('rpm', info)).toHaveProperty('unsupported');
  });
});

describe('priority for records without a severity of their own', () => {
  it('Debian records (no CVSS): the CVE record, else the distribution’s urgency — never a silent Low', async () => {
    const report = (await scanImage(shared('images', 'debian12-node-app.tar'))).report;
    const system = (await assessInventory(report, db)).findings.filter(
      (f) => f.category === 'system',
    );
    expect(system.length).toBeGreaterThan(0);
    for (const f of system) {
      expect(f.severity, f.id).not.toBe('unknown');
      expect(['CVE record CVSS', 'Debian urgency'], f.id).toContain(f.severitySource);
    }
  });

  it('with nothing published at all, Low says so', () => {
    expect(prioritize({ severity: 'unknown', knownExploited: false, fixAvailable: true })).toEqual({
      priority: 'low',
      reason: 'Low: no severity published; a fix is available',
    });
  });
});

describe('packages known only from a lock file', () => {
  it('are matched, marked declared, and say so in the cause; installed copies win', async () => {
    const lock = readDockerArchiveFile(
      readFileSync(shared('images', 'debian12-node-app.tar')),
      'app/package-lock.json',
    ) as Buffer;
    const pruned = await imageOf('lock-only', [
      { path: 'etc/os-release', content: readFileSync(shared('images', 'ubuntu', 'os-release')) },
      { path: 'app/package-lock.json', content: lock },
    ]);
    const declared = pruned.packages.filter((p) => p.declared);
    expect(declared.length).toBeGreaterThan(10);
    const lockOnly = (await assessInventory(pruned, db)).findings.filter(
      (f) => f.category === 'application',
    );
    expect(lockOnly.length).toBeGreaterThan(0);
    for (const f of lockOnly) {
      expect(f.declared).toBe(true);
      expect(f.path).toBe('app/package-lock.json');
      expect(f.cause).toMatch(/ declared in package-lock\.json \(not found installed\) /);
    }
    // The same lock file in the real image, whose node_modules holds the packages: every
    // application finding is about an installed copy, none twice.
    const full = (await scanImage(shared('images', 'debian12-node-app.tar'))).report;
    const app = (await assessInventory(full, db)).findings.filter(
      (f) => f.category === 'application',
    );
    expect(app.length).toBeGreaterThan(0);
    const installedNames = new Set(full.packages.filter((p) => !p.declared).map((p) => p.name));
    for (const f of app) {
      if (f.declared) expect(installedNames.has(f.packageName), f.packageName).toBe(false);
    }
    const keys = app.map((f) => `${f.id}|${f.packageName}|${f.installedVersion}|${f.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('Red Hat UBI: the streams its RPMs came from (image content manifests)', () => {
  // UBI 8's os-release as Red Hat ships it, a content manifest in the ICM format that Red Hat's
  // build system writes (atomic-reactor content_manifest.json), and a real RHEL 8 rpmdb.
  const osRelease = [
    'NAME="Red Hat Enterprise Linux"',
    'VERSION="8.8 (Ootpa)"',
    'ID="rhel"',
    'ID_LIKE="fedora"',
    'VERSION_ID="8.8"',
    'PLATFORM_ID="platform:el8"',
    'PRETTY_NAME="Red Hat Enterprise Linux 8.8 (Ootpa)"',
    'CPE_NAME="cpe:/o:redhat:enterprise_linux:8::baseos"',
    '',
  ].join('\n');
  const manifest = (sets: string[]) =>
    JSON.stringify({
      metadata: {
        icm_version: 1,
        icm_spec:
          'https://raw.githubusercontent.com/containerbuildsystem/atomic-reactor/master/atomic_reactor/schemas/content_manifest.json',
        image_layer_index: 0,
      },
      content_sets: sets,
      image_contents: [],
    });
  const rpmdb = () => readFileSync(shared('fixtures', 'rpmdb', 'libuuid', 'Packages'));

  it('looks only in the named streams, and says which when they are not imported', async () => {
    const report = await imageOf('ubi8', [
      { path: 'etc/os-release', content: Buffer.from(osRelease) },
      { path: 'var/lib/rpm/Packages', content: rpmdb() },
      {
        path: 'root/buildinfo/content_manifests/ubi8-minimal-container-8.8-860.json',
        content: Buffer.from(
          manifest(['rhel-8-for-x86_64-baseos-rpms', 'rhel-8-for-x86_64-appstream-rpms']),
        ),
      },
    ]);
    expect(report.os).toMatchObject({
      family: 'rhel',
      version: '8.8',
      contentSets: ['rhel-8-for-x86_64-appstream-rpms', 'rhel-8-for-x86_64-baseos-rpms'],
    });
    expect(report.packages.map((p) => `${p.name} ${p.version}`)).toEqual([
      'libuuid 2.32.1-42.el8_8',
    ]);
    expect((await assessInventory(report, db)).warnings).toEqual([
      {
        code: 'advisories_missing',
        message:
          'no advisories for Red Hat Enterprise Linux 8 (appstream, baseos) in the database (Red Hat:enterprise_linux:8::appstream, Red Hat:enterprise_linux:8::baseos): 1 system package not checked for vulnerabilities; import them',
      },
    ]);
  });

  it('a repository it cannot name widens the lookup to every stream of the release', () => {
    const info = (contentSets: string[]) =>
      ({ family: 'rhel', version: '9.4', source: 'etc/os-release', contentSets }) as never;
    expect(
      advisoryTarget(
        'rpm',
        info(['ubi-9-baseos-rpms', 'codeready-builder-for-rhel-9-x86_64-rpms']),
      ),
    ).toMatchObject({
      exact: ['Red Hat:enterprise_linux:9::baseos', 'Red Hat:enterprise_linux:9::crb'],
      prefixes: [],
    });
    expect(advisoryTarget('rpm', info(['ubi-9-baseos-rpms', 'my-company-rpms']))).toMatchObject({
      exact: ['Red Hat:enterprise_linux:9'],
      prefixes: ['Red Hat:enterprise_linux:9::'],
    });
  });

  it('an os-release ID it does not know is named by its CPE', async () => {
    const report = await imageOf('cpe-only', [
      {
        path: 'etc/os-release',
        content: Buffer.from(
          osRelease.replace('ID="rhel"', 'ID="acme-rhel"').replace('ID_LIKE="fedora"\n', ''),
        ),
      },
    ]);
    expect(report.os).toMatchObject({ family: 'rhel', version: '8.8' });
  });
});

describe('every package type the scanner reads has a source, or says it has none', () => {
  it.each([
    ['cran', 'CRAN'],
    ['hex', 'Hex'],
    ['pub', 'Pub'],
    ['swift', 'SwiftURL'],
    ['hackage', 'Hackage'],
    ['conan', 'ConanCenter'],
  ] as const)('%s is looked up in OSV %s', (type, ecosystem) => {
    expect(advisoryTarget(type, undefined)).toMatchObject({ exact: [ecosystem] });
  });

  it('online imports fetch every ecosystem the matcher looks in', () => {
    const looked = new Set<string>();
    for (const type of PackageTypeSchema.options) {
      for (const family of OsFamilySchema.options) {
        const t = advisoryTarget(type, {
          family,
          version: '9.4',
          prettyName: 'Some Release 9',
          source: 'etc/os-release',
        });
        if ('exact' in t)
          for (const e of [...t.exact, ...t.prefixes]) looked.add(e.split(':')[0] as string);
      }
    }
    expect([...looked].filter((e) => !DEFAULT_ECOSYSTEMS.includes(e))).toEqual([]);
    expect(looked.size).toBeGreaterThan(20);
  });

  it('types no OSV ecosystem publishes are reported as not checked, with the reason', async () => {
    const layer = `sha256:${'1'.repeat(64)}`;
    const pkg = (type: string, name: string, version: string) =>
      ({
        type,
        name,
        version,
        purl: `pkg:${type}/${name}@${version}`,
        layerDiffId: layer,
        layerIndex: 0,
        path: name,
      }) as never;
    const { warnings, gaps } = await assessInventory(
      {
        os: { family: 'arch', version: '', prettyName: 'Arch Linux', source: 'etc/os-release' },
        layers: [],
        packages: [
          pkg('alpm', 'gmp', '6.2.1-2'),
          pkg('conda', 'zlib', '1.2.11'),
          pkg('nix', 'curl', '8.4.0'),
          pkg('binary', 'openssl', '3.0.2'),
          pkg('luarocks', 'lpeg', '1.0.2-1'),
          pkg('wordpress-plugin', 'akismet', '5.0'),
        ],
      },
      db,
    );
    expect(gaps.map((g) => `${g.label}:${g.kind}:${g.packages}`).sort()).toEqual([
      'Arch Linux:unsupported:1',
      'binary:unsupported:1',
      'conda:unsupported:1',
      'luarocks:unsupported:1',
      'nix:unsupported:1',
      'wordpress-plugin:unsupported:1',
    ]);
    expect(warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(
        /no OSV advisory source publishes binaries identified by their version strings/,
      ),
    );
  });
});
