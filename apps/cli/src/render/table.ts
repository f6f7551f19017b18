import type { ScanReport } from '@drydock/contract';

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** Human-readable report: target, OS, layers with their Dockerfile steps, packages. */
export function renderTable(report: ScanReport): string {
  const out: string[] = [];
  const t = report.target;
  out.push(`Target:    ${t.input} (${t.format}, ${t.platform})`);
  if (t.repoTags.length) out.push(`Tags:      ${t.repoTags.join(', ')}`);
  out.push(`Config:    ${t.configDigest}`);
  out.push(
    `OS:        ${report.os ? `${report.os.prettyName ?? `${report.os.family} ${report.os.version}`}` : 'not detected'}`,
  );
  out.push('');
  out.push(
    table(
      ['LAYER', 'DIFF ID', 'SIZE', 'CREATED BY'],
      report.layers.map((l) => [
        String(l.index),
        short(l.diffId),
        `${(l.size / 1024 / 1024).toFixed(1)} MiB`,
        (l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 80),
      ]),
    ),
  );
  out.push('');
  const byType = new Map<string, number>();
  for (const p of report.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
  out.push(
    `Packages:  ${report.packages.length}${byType.size ? ` (${[...byType].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
  );
  // With vulnerabilities matched, the package list is in the JSON and CycloneDX output.
  if (report.packages.length && !report.vulnerabilities) {
    out.push('');
    out.push(
      table(
        ['NAME', 'VERSION', 'TYPE', 'SOURCE', 'LAYER'],
        report.packages.map((p) => [
          p.name,
          p.epoch ? `${p.epoch}:${p.version}` : p.version,
          p.type,
          p.sourceName && p.sourceName !== p.name ? p.sourceName : '',
          String(p.layerIndex),
        ]),
      ),
    );
  }
  if (report.vulnerabilities) {
    const v = report.vulnerabilities;
    const count = (p: string) => v.filter((f) => f.priority === p).length;
    out.push('');
    out.push(
      `Vulnerabilities: ${v.length} (high ${count('high')}, medium ${count('medium')}, low ${count('low')})`,
    );
    if (v.length) {
      out.push('');
      out.push(
        table(
          ['ID', 'PACKAGE', 'INSTALLED', 'FIXED', 'SEVERITY', 'PRIORITY', 'LAYER', 'PATH'],
          v.map((f) => [
            `${f.id}${f.knownExploited ? ' (KEV)' : ''}`,
            f.packageName,
            f.installedVersion,
            f.fixedVersion ?? (f.status === 'will_not_fix' ? 'will not fix' : '-'),
            f.severity,
            f.priority.toUpperCase(),
            String(f.layerIndex),
            f.path,
          ]),
        ),
      );
    }
  }
  if (report.maliciousSamples) {
    const m = report.maliciousSamples;
    out.push('');
    out.push(`Malicious samples: ${m.length}`);
    if (m.length) {
      out.push('');
      out.push(
        table(
          ['SEVERITY', 'CATEGORY', 'NAME', 'PATH', 'LAYER', 'REASON'],
          m.map((s) => [
            s.severity.toUpperCase(),
            s.category,
            s.name,
            s.path,
            `${s.layerIndex}${s.deletedInLayer !== undefined ? ` (deleted in ${s.deletedInLayer})` : ''}`,
            s.reason,
          ]),
        ),
      );
    }
  }
  if (report.sensitive) {
    const s = report.sensitive;
    const count = (kind: string) => s.filter((f) => f.kind === kind).length;
    out.push('');
    out.push(
      `Sensitive content: ${s.length} (secrets ${count('secret')}, configuration ${count('config')}, ghost content ${count('ghost')})`,
    );
    if (s.length) {
      out.push('');
      out.push(
        table(
          ['PRIORITY', 'KIND', 'TITLE', 'WHERE', 'LAYER', 'PREVIEW'],
          s.map((f) => [
            f.priority.toUpperCase(),
            f.kind,
            f.title,
            `${f.location}${f.line ? `:${f.line}` : ''}`,
            f.layerIndex === undefined
              ? '-'
              : `${f.layerIndex}${f.deletedInLayer !== undefined ? ` (deleted in ${f.deletedInLayer})` : ''}`,
            f.preview ?? (f.vulnerabilities ? f.vulnerabilities.slice(0, 3).join(', ') : ''),
          ]),
        ),
      );
    }
  }
  for (const w of report.warnings) out.push(`warning: ${w.message}`);
  return `${out.join('\n')}\n`;
}
