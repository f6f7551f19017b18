import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Package, ScanReport } from '@drydock/contract';
import { type TarEntrySpec, tarBuffer, writeOciLayout } from '@drydock/test-data/build-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanImage } from '../src/index.ts';
import { zipBuffer } from './helpers/zip.ts';

// Files written by the package managers themselves: `real/` by Debian's pip, setuptools,
// RubyGems, bundler, Composer, PEAR, R, LuaRocks, go and mcs (make-real-fixtures.sh); `syft/`
// copied from public test data where Debian has no such tool (README.md there names each source).
const fixture = (...parts: string[]) =>
  readFileSync(path.join(import.meta.dirname, 'fixtures', ...parts));
const real = (...parts: string[]) => fixture('real', ...parts);
const syft = (...parts: string[]) => fixture('syft', ...parts);

/**
 * The global npm of the Node.js running the tests: every package.json of its tree, placed under
 * `usr/local/lib/node_modules/npm`, and what each installed package's manifest says.
 */
const hostNpm = (() => {
  const root = path.resolve(
    path.dirname(realpathSync(process.execPath)),
    '../lib/node_modules/npm',
  );
  const files: TarEntrySpec[] = [];
  const expected: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const child = path.join(dir, entry.name);
      const childRel = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child, childRel);
      else if (entry.isFile() && entry.name === 'package.json') {
        const content = readFileSync(child);
        files.push({ path: childRel, content });
        const pkg = JSON.parse(content.toString('utf8')) as { name?: unknown; version?: unknown };
        const installed =
          childRel === 'usr/local/lib/node_modules/npm/package.json' ||
          /\/node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(childRel);
        if (installed && typeof pkg.name === 'string' && typeof pkg.version === 'string') {
          expected.push(`${pkg.name}@${pkg.version} ${childRel}`);
        }
      }
    }
  };
  walk(root, 'usr/local/lib/node_modules/npm');
  return { files, expected };
})();

let work: string;
let n = 0;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'drydock-eco-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function scanLayers(layers: TarEntrySpec[][]): Promise<ScanReport> {
  const dir = path.join(work, `img-${n++}`);
  await writeOciLayout(
    dir,
    layers.map((entries) => ({ tar: tarBuffer(entries), compression: 'none' as const })),
  );
  return (await scanImage(dir)).report;
}

const rows = (packages: Package[], type: Package['type']) =>
  packages
    .filter((p) => p.type === type)
    .map(
      (p) => `${p.name}@${p.version}${p.declared ? ' (declared)' : ''} ${p.path} L${p.layerIndex}`,
    )
    .sort();

describe('installed packages of every ecosystem, from the package managers’ own files', () => {
  let report: ScanReport;
  beforeAll(async () => {
    report = await scanLayers([
      [
        { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
        // Python: a venv's pip, a pip-installed project, an egg-info folder and a zipped egg.
        {
          path: 'opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA',
          content: real('python', 'pip.METADATA'),
        },
        {
          path: 'usr/local/lib/python3.11/dist-packages/my_package_name-1.0.2.dist-info/METADATA',
          content: real('python', 'my_package.METADATA'),
        },
        {
          path: 'srv/legacy/My_Package.Name.egg-info/PKG-INFO',
          content: real('python', 'egg-info.PKG-INFO'),
        },
        {
          path: 'srv/eggs/My_Package.Name-1.0.2-py3.11.egg',
          content: real('python', 'My_Package.Name-1.0.2-py3.11.egg'),
        },
        // Ruby: a gem under bundler's path, a default gem, and a Gemfile.lock naming the default gem.
        {
          path: 'usr/local/bundle/specifications/drydock_fixture-0.3.1.gemspec',
          content: real('ruby', 'drydock_fixture-0.3.1.gemspec'),
        },
        {
          path: 'usr/lib/ruby/gems/3.1.0/specifications/default/csv-3.2.2.gemspec',
          content: real('ruby', 'csv-3.2.2.gemspec'),
        },
        { path: 'srv/rb/Gemfile.lock', content: real('ruby', 'Gemfile.lock') },
      ],
      [
        // PHP: Composer's installed.json and lock (the same package: counted once), PEAR's registry.
        { path: 'var/www/vendor/composer/installed.json', content: real('php', 'installed.json') },
        { path: 'var/www/composer.lock', content: real('php', 'composer.lock') },
        {
          path: 'usr/share/php/.registry/archive_tar.reg',
          content: real('php', 'archive_tar.reg'),
        },
        {
          path: 'var/www/html/wp-content/plugins/all-in-one-wp-migration/all-in-one-wp-migration.php',
          content: syft('wordpress', 'all-in-one-wp-migration', 'all-in-one-wp-migration.php'),
        },
        // R, Lua, conda, Homebrew, Nix.
        {
          path: 'usr/local/lib/R/site-library/drydockr/DESCRIPTION',
          content: real('r', 'drydockr.DESCRIPTION'),
        },
        { path: 'usr/lib/R/library/stats/DESCRIPTION', content: real('r', 'stats.DESCRIPTION') },
        {
          path: 'usr/local/lib/luarocks/rocks-5.1/drydock-fixture/1.2.0-1/drydock-fixture-1.2.0-1.rockspec',
          content: real('lua', 'drydock-fixture-1.2.0-1.rockspec'),
        },
        {
          path: 'opt/conda/conda-meta/zlib-1.2.11-h90dfc92_1014.json',
          content: syft('conda-meta', 'zlib-1.2.11-h90dfc92_1014.json'),
        },
        {
          path: 'home/linuxbrew/.linuxbrew/Cellar/foo/1.2.3/.brew/foo.rb',
          content: syft('homebrew', 'foo', '1.2.3', '.brew', 'foo.rb'),
        },
        {
          path: 'nix/store/0p2dpb8fyqafqgf1nxrqw0a3i1qjqc87-curl-8.4.0-bin/bin/curl',
          content: 'x',
        },
        {
          path: 'nix/store/0p2dpb8fyqafqgf1nxrqw0a3i1qjqc87-curl-8.4.0-bin/share/doc',
          content: 'x',
        },
        {
          path: 'nix/store/9yk4mxb7rkm3b3ws6hk3l3vy1a6r7h5n-python3-3.11.9/lib/libpython3.11.so.1.0',
          content: 'x',
        },
        // .NET: an assembly with no deps.json (read), and one beside a deps.json (left to it).
        { path: 'app/Acme.Json.dll', content: real('dotnet', 'Acme.Json.dll') },
        { path: 'svc/Acme.Json.dll', content: real('dotnet', 'Acme.Json.dll') },
        {
          path: 'svc/Svc.deps.json',
          content: JSON.stringify({
            libraries: {
              'Svc/1.0.0': { type: 'project' },
              'Acme.Json/13.0.3': { type: 'package' },
            },
          }),
        },
        // Java: a jar whose component is named only by pom.xml.
        { path: 'opt/app/app-all.jar', content: real('java', 'app-all.jar') },
        // npm: this machine's own global npm (a global prefix with npm's bundled tree).
        ...hostNpm.files,
        // Yarn Berry's zip cache.
        {
          path: 'srv/berry/.yarn/cache/left-pad-npm-1.3.0-ad6d7d7f37-13fa96e17b.zip',
          content: zipBuffer([
            {
              name: 'node_modules/left-pad/package.json',
              content: '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}',
            },
          ]),
        },
      ],
    ]);
  });

  it('Python: installed anywhere, names as the project spells them, purls PEP 503', () => {
    expect(rows(report.packages, 'pypi')).toEqual([
      'My-Package.Name@1.0.2 srv/eggs/My_Package.Name-1.0.2-py3.11.egg L0',
      'My-Package.Name@1.0.2 srv/legacy/My_Package.Name.egg-info/PKG-INFO L0',
      'My-Package.Name@1.0.2 usr/local/lib/python3.11/dist-packages/my_package_name-1.0.2.dist-info/METADATA L0',
      'pip@23.0.1 opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA L0',
    ]);
    expect(report.packages.find((p) => p.name === 'My-Package.Name')?.purl).toBe(
      'pkg:pypi/my-package-name@1.0.2',
    );
  });

  it('Ruby: every gem path, default gems; the lock entry of an installed gem is not a second package', () => {
    expect(rows(report.packages, 'gem')).toEqual([
      'csv@3.2.2 usr/lib/ruby/gems/3.1.0/specifications/default/csv-3.2.2.gemspec L0',
      'drydock_fixture@0.3.1 usr/local/bundle/specifications/drydock_fixture-0.3.1.gemspec L0',
    ]);
  });

  it('PHP: Composer once, PEAR registry, WordPress plugin header', () => {
    expect(rows(report.packages, 'composer')).toEqual([
      'acme/widget@2.4.1 var/www/vendor/composer/installed.json L1',
    ]);
    expect(rows(report.packages, 'pear')).toEqual([
      'Archive_Tar@1.4.14 usr/share/php/.registry/archive_tar.reg L1',
    ]);
    expect(report.packages.find((p) => p.type === 'pear')?.purl).toBe(
      'pkg:pear/pear.php.net/Archive_Tar@1.4.14',
    );
    expect(rows(report.packages, 'wordpress-plugin')).toEqual([
      'all-in-one-wp-migration@7.78 var/www/html/wp-content/plugins/all-in-one-wp-migration/all-in-one-wp-migration.php L1',
    ]);
  });

  it('R, LuaRocks, conda, Homebrew and Nix store paths', () => {
    expect(rows(report.packages, 'cran')).toEqual([
      'drydockr@0.9-4 usr/local/lib/R/site-library/drydockr/DESCRIPTION L1',
      'stats@4.2.2 usr/lib/R/library/stats/DESCRIPTION L1',
    ]);
    expect(rows(report.packages, 'luarocks')).toEqual([
      'drydock-fixture@1.2.0-1 usr/local/lib/luarocks/rocks-5.1/drydock-fixture/1.2.0-1/drydock-fixture-1.2.0-1.rockspec L1',
    ]);
    expect(rows(report.packages, 'conda')).toEqual([
      'zlib@1.2.11 opt/conda/conda-meta/zlib-1.2.11-h90dfc92_1014.json L1',
    ]);
    expect(report.packages.find((p) => p.type === 'conda')?.licenses).toEqual(['Zlib']);
    expect(rows(report.packages, 'brew')).toEqual([
      'foo@1.2.3 home/linuxbrew/.linuxbrew/Cellar/foo/1.2.3 L1',
    ]);
    // One package per store path, however many files it holds.
    expect(rows(report.packages, 'nix')).toEqual([
      'curl@8.4.0 nix/store/0p2dpb8fyqafqgf1nxrqw0a3i1qjqc87-curl-8.4.0-bin L1',
      'python3@3.11.9 nix/store/9yk4mxb7rkm3b3ws6hk3l3vy1a6r7h5n-python3-3.11.9 L1',
    ]);
  });

  it('.NET: assemblies by their version resource where no deps.json names them', () => {
    expect(rows(report.packages, 'nuget')).toEqual([
      'Acme.Json@13.0.3 app/Acme.Json.dll L1',
      'Acme.Json@13.0.3 svc/Svc.deps.json L1',
      'Svc@1.0.0 svc/Svc.deps.json L1',
    ]);
  });

  it('Java: a component known only by the pom.xml a shaded jar kept', () => {
    expect(rows(report.packages, 'maven')).toEqual([
      'org.acme:shaded-core@3.1.0 opt/app/app-all.jar L1',
    ]);
  });

  it('npm: a global prefix with npm’s own bundled tree (this machine’s npm), Yarn Berry’s cache', () => {
    expect(hostNpm.expected.length).toBeGreaterThan(50);
    expect(rows(report.packages, 'npm')).toEqual(
      [
        'left-pad@1.3.0 srv/berry/.yarn/cache/left-pad-npm-1.3.0-ad6d7d7f37-13fa96e17b.zip L1',
        ...hostNpm.expected.map((e) => `${e} L1`),
      ].sort(),
    );
  });
});

describe('lock files of ecosystems known only by what the project declares', () => {
  it('Hex, Pub, SwiftPM, CocoaPods, Stack, Cabal, Conan 1 and 2, go.mod, Gradle', async () => {
    const report = await scanLayers([
      [
        { path: 'app/ex/mix.lock', content: syft('mix.lock') },
        { path: 'app/dart/pubspec.lock', content: syft('pubspec.lock') },
        { path: 'app/swift/Package.resolved', content: syft('Package.resolved') },
        { path: 'app/ios/Podfile.lock', content: syft('Podfile.lock') },
        { path: 'app/hs/stack.yaml.lock', content: syft('stack.yaml.lock') },
        { path: 'app/cabal/cabal.project.freeze', content: syft('cabal.project.freeze') },
        { path: 'app/cpp1/conan.lock', content: syft('conan-v1', 'conan.lock') },
        { path: 'app/cpp2/conan.lock', content: syft('conan-v2', 'conan.lock') },
        { path: 'app/go/go.mod', content: real('go', 'go.mod') },
        { path: 'app/jvm/gradle.lockfile', content: syft('gradle', 'gradle.lockfile') },
      ],
    ]);
    const names = (type: Package['type']) =>
      report.packages
        .filter((p) => p.type === type)
        .map((p) => `${p.name}@${p.version}`)
        .sort();
    expect(report.packages.every((p) => p.declared)).toBe(true);
    // Hex packages only: the git and path dependencies have no Hex version.
    expect(names('hex')).toHaveLength(15);
    expect(names('hex')).toContain('ecto_sql@3.8.1');
    expect(names('hex').some((n) => n.startsWith('enacl') || n.startsWith('local_dep'))).toBe(
      false,
    );
    // Hosted packages only: the SDK and git entries are not pub.dev packages.
    expect(names('pub')).toEqual([
      'ale@3.3.0',
      'analyzer@0.40.7',
      'ansicolor@1.1.1',
      'archive@2.0.13',
      'args@1.6.0',
    ]);
    // Pins with a version (a branch pin has none), named by repository as OSV's SwiftURL does.
    expect(names('swift')).toEqual(['github.com/apple/swift-syntax@509.1.1']);
    expect(names('cocoapods')).toEqual([
      'Analytics@1.4.0',
      'Flutter@1.0.0',
      'GlossButtonNode@3.1.2',
    ]);
    // HTTP is in both the Stack and the Cabal lock (two files, two entries); kore comes from git.
    expect(names('hackage')).toEqual([
      'Cabal@3.2.1.0',
      'Diff@0.4.1',
      'HTTP@4000.3.16',
      'HTTP@4000.3.16',
      'HUnit@1.6.2.0',
      'OneTuple@0.3.1',
      'Only@0.1',
      'PyF@0.10.2.0',
      'QuickCheck@2.14.2',
      'RSA@2.4.1',
      'SHA@1.6.4.4',
      'Spock@0.14.0.0',
      'configurator-pg@0.2.6',
      'hasql-dynamic-statements@0.3.1.1',
      'hasql-implicits@0.1.0.4',
      'hasql-pool@0.5.2.2',
      'lens-aeson@1.1.3',
      'optparse-applicative@0.16.1.0',
      'protolude@0.3.2',
      'ptr@0.16.8.2',
    ]);
    expect(names('conan')).toEqual(['fmt@9.1.0', 'matrix@1.1', 'sound32@1.0', 'spdlog@1.11.0']);
    // Replacements applied; the local-folder replacement has nothing to look up.
    expect(names('golang')).toEqual([
      'github.com/gin-gonic/gin@v1.9.1',
      'golang.org/x/text@v0.3.7',
    ]);
    expect(names('maven')).toEqual([
      'ch.qos.logback:logback-classic@1.4.14',
      'ch.qos.logback:logback-core@1.4.14',
      'com.fasterxml.jackson.core:jackson-databind@2.15.4',
      'org.apache.logging.log4j:log4j-api@2.21.1',
      'org.yaml:snakeyaml@2.2',
    ]);
  });
});

describe('OS package databases beyond dpkg, apk and rpm', () => {
  it('Arch Linux pacman and Gentoo Portage', async () => {
    const arch = await scanLayers([
      [
        { path: 'etc/os-release', content: 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n' },
        { path: 'var/lib/pacman/local/ALPM_DB_VERSION', content: '9\n' },
        {
          path: 'var/lib/pacman/local/gmp-6.2.1-2/desc',
          content: syft('pacman', 'gmp-6.2.1-2', 'desc'),
        },
        {
          path: 'var/lib/pacman/local/gmp-6.2.1-2/files',
          content: syft('pacman', 'gmp-6.2.1-2', 'files'),
        },
      ],
    ]);
    expect(arch.os?.family).toBe('arch');
    expect(arch.packages.filter((p) => p.type === 'alpm')).toEqual([
      expect.objectContaining({
        name: 'gmp',
        version: '6.2.1-2',
        arch: 'x86_64',
        licenses: ['LGPL3', 'GPL'],
        purl: 'pkg:alpm/arch/gmp@6.2.1-2?arch=x86_64',
        path: 'var/lib/pacman/local/gmp-6.2.1-2/desc',
        foundBy: 'pacman',
        layerIndex: 0,
      }),
    ]);

    const gentoo = await scanLayers([
      [
        { path: 'etc/os-release', content: 'NAME=Gentoo\nID=gentoo\n' },
        {
          path: 'var/db/pkg/app-misc/foo-1.0/CONTENTS',
          content: syft('portage', 'foo-1.0', 'CONTENTS'),
        },
        { path: 'var/db/pkg/app-misc/foo-1.0/LICENSE', content: 'MIT\n' },
      ],
    ]);
    expect(gentoo.packages.map((p) => `${p.type}:${p.name}@${p.version} ${p.purl}`)).toEqual([
      'ebuild:app-misc/foo@1.0 pkg:ebuild/app-misc/foo@1.0',
    ]);
  });
});

describe('binaries identified by their version strings', () => {
  it('real OpenSSL, Python and Node.js builds outside any OS package, versions as the tools report them', async () => {
    const libcrypto = realpathSync('/usr/lib/x86_64-linux-gnu/libcrypto.so.3');
    const python = realpathSync('/usr/bin/python3');
    const openssl = /^OpenSSL (\S+)/.exec(
      execFileSync('openssl', ['version'], { encoding: 'utf8' }),
    )?.[1];
    const pythonVersion = execFileSync(python, ['--version'], { encoding: 'utf8' })
      .trim()
      .split(' ')[1];
    const report = await scanLayers([
      [
        // The distribution's copy (owned by libssl3): its advisories are the distribution's.
        {
          path: 'var/lib/dpkg/status',
          content:
            'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.17-1~deb12u2\nArchitecture: amd64\n',
        },
        {
          path: 'var/lib/dpkg/info/libssl3:amd64.list',
          content: '/usr/lib/x86_64-linux-gnu/libcrypto.so.3\n',
        },
        { path: 'usr/lib/x86_64-linux-gnu/libcrypto.so.3', content: readFileSync(libcrypto) },
        { path: 'opt/ssl/lib/libcrypto.so.3', content: readFileSync(libcrypto) },
        { path: `opt/py/bin/${path.basename(python)}`, content: readFileSync(python), mode: 0o755 },
        { path: 'usr/local/bin/node', content: readFileSync(process.execPath), mode: 0o755 },
      ],
    ]);
    expect(
      report.packages
        .filter((p) => p.type === 'binary')
        .map((p) => `${p.name}@${p.version} ${p.path}`)
        .sort(),
    ).toEqual([
      `node@${process.versions.node} usr/local/bin/node`,
      `openssl@${openssl} opt/ssl/lib/libcrypto.so.3`,
      `python@${pythonVersion} opt/py/bin/${path.basename(python)}`,
    ]);
    expect(report.packages.find((p) => p.name === 'openssl')?.cpe).toBe(
      `cpe:2.3:a:openssl:openssl:${openssl}:*:*:*:*:*:*:*`,
    );
  });
});
