import type { ScanWarning, SensitiveFinding } from '@drydock/contract';
import type { FileVisitor } from '@drydock/scanner';
import { configChecks } from './config-checks.ts';
import { configSecrets, redact } from './config-secrets.ts';
import { type SensitiveContext, secretFinding } from './finding.ts';
import { isAllowListed, wantsFile } from './paths.ts';
import { loadSecretRules, type SecretRuleSet } from './rules.ts';
import { findSecretsInFile, type SecretHit } from './secrets.ts';

export interface SensitiveOptions {
  /** Secrets in files and in the image config. */
  secrets: boolean;
  /** Image configuration checks. */
  config: boolean;
  rules?: SecretRuleSet;
  /** Larger files are not read for secrets (counted in one warning). Default 2 MiB. */
  maxFileSize?: number;
}

export interface SensitiveScan {
  visitor(layer: { index: number; diffId: string }): FileVisitor;
  finish(context: SensitiveContext): SensitiveFinding[];
  /**
   * Masks the secrets found in the image config (history steps, labels) in a text: the report's
   * layer steps and labels must not carry them either. Call after `finish`.
   */
  redact(text: string): string;
  warnings: ScanWarning[];
  stats: { files: number; bytes: number; skipped: number };
}

type LayerHit = SecretHit & { path: string };

const DEFAULT_MAX = 2 * 1024 * 1024;

/**
 * The sensitive-content scan: files are read for secrets as the layers stream by (the same walk
 * as the inventory and the malware scan), then `finish` adds layer context — which layer added
 * each file, which later layer deleted it — and runs the image config's secret and configuration
 * checks.
 */
export function createSensitiveScan(options: SensitiveOptions): SensitiveScan {
  const rules = options.rules ?? loadSecretRules();
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX;
  const byLayer = new Map<number, LayerHit[]>();
  const warnings: ScanWarning[] = [];
  const stats = { files: 0, bytes: 0, skipped: 0 };
  const skippedPaths: string[] = [];
  let configSecretValues: string[] = [];

  return {
    warnings,
    stats,
    redact: (text) => redact(text, configSecretValues),
    visitor(layer) {
      if (!options.secrets) return {};
      const found: LayerHit[] = [];
      byLayer.set(layer.index, found);
      return {
        onFile(path, size) {
          if (size === 0 || !wantsFile(path)) return undefined;
          if (size > maxFileSize) {
            stats.skipped++;
            if (skippedPaths.length < 10) skippedPaths.push(path);
            return undefined;
          }
          const chunks: Buffer[] = [];
          return {
            data(chunk) {
              chunks.push(chunk);
            },
            end() {
              const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
              stats.files++;
              stats.bytes += data.length;
              try {
                for (const hit of findSecretsInFile(path, data, rules))
                  found.push({ ...hit, path });
              } catch (error) {
                warnings.push({
                  code: 'secret_scan_failed',
                  message: `${path}: secret scan failed: ${error instanceof Error ? error.message : String(error)}`,
                  path,
                  layerIndex: layer.index,
                  layerDiffId: layer.diffId,
                });
              }
            },
          };
        },
      };
    },
    finish(context) {
      const out: SensitiveFinding[] = [];
      const { layers } = context;
      const removed = new Map(context.removedFiles.map((r) => [`${r.path}|${r.addedInLayer}`, r]));
      for (const [index, hits] of byLayer) {
        const layer = layers[index];
        for (const hit of hits) {
          if (context.packageFiles.has(hit.path) || isAllowListed(hit.path)) continue;
          const gone = removed.get(`${hit.path}|${index}`);
          const deletedBy = gone ? layers[gone.removedInLayer]?.createdBy : undefined;
          out.push(
            secretFinding(
              hit,
              {
                location: hit.path,
                layerIndex: index,
                layerDiffId: layer?.diffId ?? '',
                ...(layer?.createdBy ? { createdBy: layer.createdBy } : {}),
                ...(gone ? { deletedInLayer: gone.removedInLayer } : {}),
                ...(deletedBy ? { deletedBy } : {}),
              },
              gone
                ? `${hit.title} in ${hit.path}, added in layer ${index}${layer?.createdBy ? ` by ${layer.createdBy}` : ''}, ${gone.replaced ? 'overwritten' : 'deleted'} in layer ${gone.removedInLayer}${deletedBy ? ` by ${deletedBy}` : ''}: hidden from the container, still downloadable with the image.`
                : `${hit.title} in ${hit.path}, added in layer ${index}${layer?.createdBy ? ` by ${layer.createdBy}` : ''}.`,
            ),
          );
        }
      }
      if (options.secrets) {
        const fromConfig = configSecrets(context.config, layers, rules);
        configSecretValues = fromConfig.secrets;
        out.push(...fromConfig.findings);
      }
      if (options.config) out.push(...configChecks(context));
      for (const f of out) {
        if (f.createdBy) f.createdBy = redact(f.createdBy, configSecretValues);
        if (f.deletedBy) f.deletedBy = redact(f.deletedBy, configSecretValues);
      }
      if (stats.skipped) {
        warnings.push({
          code: 'secret_skipped',
          message: `${stats.skipped} file${stats.skipped === 1 ? '' : 's'} over ${maxFileSize} bytes not read for secrets (${skippedPaths.join(', ')}${stats.skipped > skippedPaths.length ? ', …' : ''})`,
        });
      }
      return dedupe(out);
    },
  };
}

const PRIORITY = { high: 3, medium: 2, low: 1 } as const;

/** One finding per row and place (the same secret twice on a line is one); most urgent first. */
export function dedupe(findings: SensitiveFinding[]): SensitiveFinding[] {
  const seen = new Map<string, SensitiveFinding>();
  for (const f of findings) {
    const key = `${f.id}|${f.location}|${f.line ?? ''}|${f.layerIndex ?? ''}`;
    if (!seen.has(key)) seen.set(key, f);
  }
  return [...seen.values()].sort(
    (a, b) =>
      PRIORITY[b.priority] - PRIORITY[a.priority] ||
      a.kind.localeCompare(b.kind) ||
      a.location.localeCompare(b.location) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}
