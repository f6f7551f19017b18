import type { LayerInfo, Priority, SensitiveFinding } from '@drydock/contract';
import type { ImageFs } from '@drydock/scanner';
import { historyOf, type SensitiveContext } from './finding.ts';
import { findingId } from './text.ts';

interface Check {
  id: string;
  title: string;
  priority: Priority;
  fix: string;
  references: string[];
}

const CIS = 'https://docs.docker.com/build/building/best-practices/';
const CHECKS = {
  root: {
    id: 'config-root-user',
    title: 'Runs as root (no USER)',
    priority: 'medium',
    fix: 'Create an unprivileged user and switch to it: `RUN useradd -r -u 10001 app` then `USER 10001` (a numeric id lets Kubernetes verify runAsNonRoot).',
    references: [`${CIS}#user`],
  },
  healthcheck: {
    id: 'config-no-healthcheck',
    title: 'No HEALTHCHECK',
    priority: 'low',
    fix: 'Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>` (or rely on orchestrator probes and say so in the image docs).',
    references: ['https://docs.docker.com/reference/dockerfile/#healthcheck'],
  },
  addUrl: {
    id: 'config-add-url',
    title: 'ADD downloads from a URL',
    priority: 'medium',
    fix: 'Download in a build stage with `RUN curl -fsSLo file URL && echo "<sha256>  file" | sha256sum -c -` (or `ADD --checksum=sha256:…`), then COPY the verified file; a plain ADD URL trusts whatever the server sends at build time.',
    references: [`${CIS}#add-or-copy`],
  },
  latest: {
    id: 'config-latest-base',
    title: 'Base image by the latest tag',
    priority: 'low',
    fix: 'Pin the base image to a version and digest (`FROM debian:12.8@sha256:…`) so rebuilds are reproducible and a base change is a reviewed change.',
    references: [`${CIS}#from`],
  },
  cache: {
    id: 'config-package-cache',
    title: 'Package manager cache left in the image',
    priority: 'low',
    fix: 'Clean the cache in the same RUN step that fills it: `apt-get install … && rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf install … && dnf clean all`, `pip install --no-cache-dir`, `npm ci && npm cache clean --force` (or use a cache mount: `RUN --mount=type=cache`).',
    references: [`${CIS}#apt-get`],
  },
  setuid: {
    id: 'config-setuid-outside-system',
    title: 'Setuid/setgid file outside the system paths',
    priority: 'medium',
    fix: 'Remove the bit (`chmod u-s,g-s <file>`) or the file; run the container with `--security-opt no-new-privileges` so setuid files cannot raise privileges.',
    references: ['https://docs.docker.com/engine/security/#linux-kernel-capabilities'],
  },
  writablePath: {
    id: 'config-world-writable-path',
    title: 'World-writable directory on PATH',
    priority: 'high',
    fix: 'Make the directory writable by its owner only (`chmod o-w,g-w <dir>`): any process can plant a program there that others run by name.',
    references: [],
  },
  sshd: {
    id: 'config-ssh-server',
    title: 'SSH server installed',
    priority: 'medium',
    fix: 'Remove the SSH server (containers are entered with `docker exec` / `kubectl exec`); an sshd adds keys, passwords and a listening daemon to secure.',
    references: [],
  },
} satisfies Record<string, Check>;

const SHELLS = /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|ash|dash|zsh)$/;
const SYSTEM = /^(?:usr\/)?(?:s?bin|lib|lib32|lib64|libexec)\//;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MiB = 1024 * 1024;

/** Package caches: where each package manager keeps downloads, and what counts. */
const CACHES: { dir: string; tool: string }[] = [
  { dir: 'var/cache/apt/archives', tool: 'apt' },
  { dir: 'var/lib/apt/lists', tool: 'apt' },
  { dir: 'var/cache/apk', tool: 'apk' },
  { dir: 'etc/apk/cache', tool: 'apk' },
  { dir: 'var/cache/yum', tool: 'yum' },
  { dir: 'var/cache/dnf', tool: 'dnf' },
  { dir: 'var/cache/zypp', tool: 'zypper' },
  { dir: 'root/.cache/pip', tool: 'pip' },
  { dir: 'root/.npm/_cacache', tool: 'npm' },
  { dir: 'usr/local/share/.cache/yarn', tool: 'yarn' },
  { dir: 'root/.cache/yarn', tool: 'yarn' },
  { dir: 'root/.composer/cache', tool: 'composer' },
  { dir: 'root/.cache/composer', tool: 'composer' },
  { dir: 'root/.m2/repository', tool: 'maven' },
  { dir: 'root/.gradle/caches', tool: 'gradle' },
];

type Node = ReturnType<ImageFs['lookupLiteral']>;

/** Every regular file under a node: path, node. */
function* files(node: Node, prefix: string): Generator<[string, NonNullable<Node>]> {
  const stack: [string, NonNullable<Node>][] = node ? [[prefix, node]] : [];
  while (stack.length) {
    const [path, n] = stack.pop() as [string, NonNullable<Node>];
    if (n.type === 'file') yield [path, n];
    else if (n.children)
      for (const [name, child] of n.children) stack.push([path ? `${path}/${name}` : name, child]);
  }
}

/** A reference without a tag (`debian`) or with `latest`; digests pin whatever the tag says. */
export function isLatestRef(ref: string): boolean {
  if (ref.includes('@') || /^(?:scratch|\$|\{)/i.test(ref)) return false;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 || last.slice(colon + 1) === 'latest';
}

/**
 * Image configuration checks: user, health check, how the image was built (ADD from URLs,
 * `latest` bases) and what its filesystem holds (package caches, setuid files outside system
 * paths, world-writable PATH directories, an SSH server). Base images (their command is a
 * shell, no entrypoint, no ports) are not checked for user and health check: those belong to the
 * images built on them.
 */
export function configChecks(context: SensitiveContext): SensitiveFinding[] {
  const { config, layers, fs } = context;
  const cfg = (config.config ?? {}) as Record<string, unknown>;
  const { history, layerOf: layerOfStep } = historyOf(config);
  const out: SensitiveFinding[] = [];
  const add = (
    check: Check,
    location: string,
    description: string,
    where: { layer?: number; createdBy?: string } = {},
  ) => {
    const layer: LayerInfo | undefined =
      where.layer !== undefined ? layers[where.layer] : undefined;
    const createdBy = where.createdBy ?? layer?.createdBy;
    out.push({
      id: findingId(check.id, ''),
      kind: 'config',
      ruleId: check.id,
      title: check.title,
      category: 'Image config',
      priority: check.priority,
      location,
      ...(layer ? { layerIndex: layer.index, layerDiffId: layer.diffId } : {}),
      ...(createdBy ? { createdBy } : {}),
      description,
      fix: check.fix,
      references: check.references,
      source: 'drydock',
    });
  };
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const cmd = strings(cfg.Cmd);
  const entrypoint = strings(cfg.Entrypoint);
  const ports = cfg.ExposedPorts && typeof cfg.ExposedPorts === 'object';
  const isBase =
    !entrypoint.length &&
    !ports &&
    (cmd.length === 0 || (cmd.length === 1 && SHELLS.test(cmd[0] as string)));
  if (!isBase) {
    const user = typeof cfg.User === 'string' ? cfg.User.trim() : '';
    if (!user || /^(?:root|0)(?::.*)?$/.test(user)) {
      const step = history.findLast((h) => /\bUSER\b/.test(h.created_by ?? ''))?.created_by;
      add(
        CHECKS.root,
        'config:User',
        user
          ? `The image sets USER ${user}: its processes run as root, so a compromise of the application is a compromise of root in the container.`
          : 'The image sets no USER: its processes run as root, so a compromise of the application is a compromise of root in the container.',
        step ? { createdBy: step } : {},
      );
    }
    const test = (cfg.Healthcheck as { Test?: unknown } | undefined)?.Test;
    if (!cfg.Healthcheck || strings(test)[0] === 'NONE') {
      add(
        CHECKS.healthcheck,
        'config:Healthcheck',
        'No HEALTHCHECK: Docker cannot tell a hung service from a healthy one.',
      );
    }
  }

  for (const [i, h] of history.entries()) {
    const step = typeof h.created_by === 'string' ? h.created_by.slice(0, 8192) : '';
    const layer = layerOfStep[i];
    const url = /\bADD\s+((?:--[\w-]+(?:=\S+)?\s+)*)(https?:\/\/\S+)/i.exec(step);
    if (url && !/--checksum/.test(url[1] ?? '')) {
      add(
        CHECKS.addUrl,
        `history[${i}]`,
        `Step ${i} (${step.slice(0, 200)}) adds ${url[2]} without a checksum.`,
        {
          ...(layer !== undefined ? { layer } : {}),
          createdBy: step,
        },
      );
    }
    const from = /\bFROM\s+(?:--platform=\S+\s+)?([^\s]+)/i.exec(step);
    if (from && isLatestRef(from[1] as string)) {
      add(
        CHECKS.latest,
        `history[${i}]`,
        `Step ${i} builds FROM ${from[1]}: whatever that tag pointed to when the image was built.`,
        {
          createdBy: step,
        },
      );
    }
  }
  const labels = (cfg.Labels ?? {}) as Record<string, unknown>;
  const baseName = labels['org.opencontainers.image.base.name'];
  if (typeof baseName === 'string' && baseName && isLatestRef(baseName)) {
    add(
      CHECKS.latest,
      'config:Labels/org.opencontainers.image.base.name',
      `The image was built on ${baseName.slice(0, 200)}: whatever that tag pointed to when the image was built.`,
    );
  }

  for (const cache of CACHES) {
    const node = fs.lookupLiteral(cache.dir);
    if (node?.type !== 'directory') continue;
    let bytes = 0;
    let count = 0;
    const byLayer = new Map<number, number>();
    for (const [path, f] of files(node, cache.dir)) {
      if (/\/(?:lock|partial)$/.test(path)) continue;
      bytes += f.size;
      count++;
      byLayer.set(f.layer, (byLayer.get(f.layer) ?? 0) + f.size);
    }
    if (bytes < MiB) continue;
    const layer = [...byLayer].sort((a, b) => b[1] - a[1])[0]?.[0];
    add(
      CHECKS.cache,
      cache.dir,
      `${cache.tool} cache left in /${cache.dir}: ${count} files, ${(bytes / MiB).toFixed(1)} MiB shipped with every pull${layer !== undefined ? ` (mostly from layer ${layer})` : ''}.`,
      layer !== undefined ? { layer } : {},
    );
  }

  let setuid = 0;
  for (const [path, f] of files(fs.root, '')) {
    if (!(f.mode & 0o6000) || SYSTEM.test(path)) continue;
    if (++setuid > 50) break;
    const bits = [f.mode & 0o4000 ? 'setuid' : '', f.mode & 0o2000 ? 'setgid' : '']
      .filter(Boolean)
      .join('+');
    add(
      CHECKS.setuid,
      path,
      `/${path} is ${bits} (mode ${(f.mode & 0o7777).toString(8)}) outside the system directories.`,
      { layer: f.layer },
    );
  }

  const envPath =
    strings(cfg.Env)
      .find((e) => e.startsWith('PATH='))
      ?.slice(5) ?? DEFAULT_PATH;
  for (const dir of new Set(
    envPath
      .split(':')
      .filter((d) => d.startsWith('/'))
      .slice(0, 50),
  )) {
    let resolved: ReturnType<ImageFs['resolve']>;
    try {
      resolved = fs.resolve(dir);
    } catch {
      continue;
    }
    const node = resolved?.node;
    if (node?.type === 'directory' && node.mode & 0o002) {
      add(
        CHECKS.writablePath,
        dir.slice(1),
        `${dir} is on PATH and writable by everyone (mode ${(node.mode & 0o7777).toString(8)}).`,
        { layer: node.layer },
      );
    }
  }

  for (const daemon of ['usr/sbin/sshd', 'usr/sbin/dropbear']) {
    let node: Node;
    try {
      node = fs.resolve(daemon)?.node;
    } catch {
      node = undefined;
    }
    if (node?.type === 'file') {
      add(
        CHECKS.sshd,
        daemon,
        `/${daemon} is installed: an SSH daemon in a container is a second way in with its own keys and passwords.`,
        { layer: node.layer },
      );
      break;
    }
  }
  return out;
}
