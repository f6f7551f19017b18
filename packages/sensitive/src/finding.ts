import type { LayerInfo, SensitiveFinding } from '@drydock/contract';
import type { ImageFs, ImageHandle, RemovedFile } from '@drydock/scanner';
import type { SecretHit } from './secrets.ts';
import { findingId, mask, sha256Hex } from './text.ts';

export interface SensitiveContext {
  config: ImageHandle['config'];
  layers: LayerInfo[];
  removedFiles: RemovedFile[];
  fs: ImageFs;
  /** Files that OS packages installed: the distribution's own, never reported as secrets. */
  packageFiles: Set<string>;
}

/** A secret hit placed in the image: its row id, masked preview and hash, never the secret. */
export function secretFinding(
  hit: SecretHit,
  place: Pick<
    SensitiveFinding,
    'location' | 'layerIndex' | 'layerDiffId' | 'createdBy' | 'deletedInLayer' | 'deletedBy'
  >,
  description: string,
): SensitiveFinding {
  const hash = hit.sha256 ?? sha256Hex(hit.secret);
  return {
    id: findingId(hit.ruleId, hash),
    kind: 'secret',
    ruleId: hit.ruleId,
    title: hit.title,
    category: hit.category,
    priority: hit.priority,
    ...place,
    ...(hit.line !== undefined ? { line: hit.line } : {}),
    preview: hit.label ?? mask(hit.secret),
    secretSha256: hash,
    description,
    fix: hit.fix,
    references: hit.references,
    source: hit.source,
  };
}

/**
 * The image config's build history (bounded: it comes from the image) and, for each step, the
 * layer it made (empty-layer steps such as ENV or CMD made none).
 */
export function historyOf(config: ImageHandle['config']) {
  const history = Array.isArray(config.history) ? config.history.slice(0, 1000) : [];
  let next = 0;
  const layerOf = history.map((h) => (h.empty_layer ? undefined : next++));
  return { history, layerOf };
}
