import type { Package } from '@drydock/contract';

/** The command (or edit) that installs the fixed version with the package's own manager. */
export function fixCommand(pkg: Pick<Package, 'type' | 'name'>, fixed: string): string {
  const q = (s: string) => (/^[\w@./:+=~^-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  switch (pkg.type) {
    case 'deb':
      return `apt-get install --only-upgrade ${q(`${pkg.name}=${fixed}`)}`;
    case 'apk':
      return `apk add --upgrade ${q(`${pkg.name}=${fixed}`)}`;
    case 'rpm':
      return `dnf upgrade ${q(`${pkg.name}-${fixed.replace(/^\d+:/, '')}`)}`;
    case 'npm':
      return `npm install ${q(`${pkg.name}@${fixed}`)}`;
    case 'pypi':
      return `pip install '${pkg.name}>=${fixed}'`;
    case 'maven': {
      const [group, artifact] = pkg.name.split(':');
      return `set <version>${fixed}</version> for ${group}:${artifact} in pom.xml (or '${group}:${artifact}:${fixed}' in build.gradle)`;
    }
    case 'golang':
      return pkg.name === 'stdlib'
        ? `rebuild the binary with Go ${fixed.replace(/^v/, '')} or later`
        : `go get ${pkg.name}@v${fixed.replace(/^v/, '')}`;
    case 'cargo':
      return `cargo update -p ${pkg.name} --precise ${fixed}`;
    case 'gem':
      return `bundle update ${pkg.name} (Gemfile: gem '${pkg.name}', '>= ${fixed}')`;
    case 'composer':
      return `composer require ${q(`${pkg.name}:^${fixed}`)}`;
    case 'nuget':
      return `dotnet add package ${pkg.name} --version ${fixed}`;
    case 'cran':
      return `remotes::install_version('${pkg.name}', version = '>= ${fixed}')`;
    case 'hex':
      return `mix.exs: {:${pkg.name}, "~> ${fixed}"}, then mix deps.update ${pkg.name}`;
    case 'pub':
      return `dart pub upgrade ${pkg.name} (pubspec.yaml: ${pkg.name}: ^${fixed})`;
    case 'swift':
      return `Package.swift: .package(url: "${pkg.name}", from: "${fixed}"), then swift package update`;
    case 'hackage':
      return `cabal: ${pkg.name} >= ${fixed} in the .cabal file, then cabal update && cabal build`;
    case 'conan':
      return `conanfile: ${pkg.name}/${fixed}, then conan install . --update`;
    case 'alpm':
      return `pacman -Syu ${q(pkg.name)}`;
    case 'ebuild':
      return `emerge --update --oneshot ${q(`>=${pkg.name}-${fixed}`)}`;
    default:
      return `upgrade ${pkg.name} to ${fixed} or later`;
  }
}
