import type { LayerInfo, SensitiveFinding } from '@drydock/contract';
import type { ImageHandle } from '@drydock/scanner';
import { historyOf, secretFinding } from './finding.ts';
import type { SecretRuleSet } from './rules.ts';
import { findSecrets, type SecretHit } from './secrets.ts';
import { isPlaceholder, mask } from './text.ts';

const SECRET_NAME =
  /(?:^|[_.-])(?:PASSWORD|PASSWD|PASS|PWD|SECRET|SECRETS|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|CREDENTIALS?|AUTH|APIKEY)(?:$|[_.-])/i;
/** Names that hold where a secret is or what it is called, not the secret. */
const NOT_A_SECRET =
  /(?:_FILE|_PATH|_DIR|_HOST|_PORT|_USER|_USERNAME|_NAME|_ID|_TYPE|_ENABLED|_LENGTH|_TTL|_URL|_URI|_ENDPOINT|_HEADER|_REGION|_EXPIRY|_EXPIRES)$/i;

const ROTATE_ENV =
  'Revoke and re-issue the credential, then rebuild without it: ENV and ARG values are stored in the image config and history for anyone who pulls the image. Pass secrets at run time (orchestrator secrets, a secret store) and to builds with BuildKit secret mounts (RUN --mount=type=secret).';

/** A `NAME=value` whose name says it is a secret and whose value is not a placeholder. */
function namedSecret(name: string, value: string): boolean {
  if (!SECRET_NAME.test(name) || NOT_A_SECRET.test(name)) return false;
  const v = value.trim();
  if (v.length < 6 || isPlaceholder(v)) return false;
  // Paths, numbers and switches are settings, not secrets.
  return !/^(?:\/|\.\/|~\/)|^\d+$|^(?:yes|no|on|off|enabled?|disabled?)$/i.test(v);
}

const named = (ruleId: string, title: string, name: string, value: string): SecretHit => ({
  ruleId,
  source: 'drydock',
  title: `${title} (${name.slice(0, 80)})`,
  category: 'Image config',
  priority: 'high',
  secret: value,
  fix: ROTATE_ENV,
  references: ['https://docs.docker.com/build/building/secrets/'],
});

/**
 * Secrets in the image config: `ENV` values, labels, and the build history — `--build-arg`
 * values that BuildKit and the classic builder record in `RUN` steps (`RUN |2 TOKEN=… /bin/sh
 * -c …`) and anything the rules find in a step's text.
 */
export function configSecrets(
  config: ImageHandle['config'],
  layers: LayerInfo[],
  rules: SecretRuleSet,
): { findings: SensitiveFinding[]; secrets: string[] } {
  const out: SensitiveFinding[] = [];
  const secrets = new Set<string>();
  const cfg = (config.config ?? {}) as Record<string, unknown>;
  const { history, layerOf } = historyOf(config);
  const envStep = (name: string) =>
    history.findLast((h) => typeof h.created_by === 'string' && h.created_by.includes(`${name}=`))
      ?.created_by;

  const env = Array.isArray(cfg.Env) ? cfg.Env.slice(0, 500) : [];
  for (const entry of env) {
    if (typeof entry !== 'string' || entry.length > 8192) continue;
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const value = eq < 0 ? '' : entry.slice(eq + 1);
    const hits = findSecrets(entry, rules);
    if (!hits.length && namedSecret(name, value))
      hits.push(named('env-secret', 'Secret in an ENV variable', name, value));
    const step = envStep(name);
    for (const hit of hits) secrets.add(hit.secret);
    for (const hit of hits) {
      out.push(
        secretFinding(
          hit,
          { location: `config:Env/${name}`, ...(step ? { createdBy: step } : {}) },
          `${hit.title} in the image config's environment (${name}): every container and everyone who pulls the image can read it.`,
        ),
      );
    }
  }

  const labels = cfg.Labels && typeof cfg.Labels === 'object' ? Object.entries(cfg.Labels) : [];
  for (const [key, value] of labels.slice(0, 500)) {
    if (typeof value !== 'string' || value.length > 8192) continue;
    for (const hit of findSecrets(`${key}=${value}`, rules)) {
      secrets.add(hit.secret);
      out.push(
        secretFinding(
          hit,
          { location: `config:Labels/${key.slice(0, 200)}` },
          `${hit.title} in the image label ${key}.`,
        ),
      );
    }
  }

  for (const [i, h] of history.entries()) {
    const step = typeof h.created_by === 'string' ? h.created_by.slice(0, 65536) : '';
    if (!step) continue;
    const hits: SecretHit[] = [];
    // Build arguments a RUN step saw: `|N NAME=value … <shell>`.
    const args = /(?:^|\s)\|(\d{1,3})\s+(.*)$/s.exec(step);
    if (args) {
      const tokens = (args[2] ?? '').split(/\s+/).slice(0, Number(args[1]));
      for (const token of tokens) {
        const eq = token.indexOf('=');
        if (eq <= 0) continue;
        const name = token.slice(0, eq);
        const value = token.slice(eq + 1);
        const found = findSecrets(token, rules);
        if (!found.length && namedSecret(name, value))
          found.push(named('build-arg-secret', 'Secret in a build argument', name, value));
        hits.push(...found);
      }
    }
    hits.push(...findSecrets(step, rules));
    const layerIndex = layerOf[i];
    const layer = layerIndex !== undefined ? layers[layerIndex] : undefined;
    for (const hit of hits) secrets.add(hit.secret);
    for (const hit of hits) {
      out.push(
        secretFinding(
          hit,
          {
            location: `history[${i}]`,
            ...(layer ? { layerIndex: layer.index, layerDiffId: layer.diffId } : {}),
            createdBy: step,
          },
          `${hit.title} in the build history (step ${i}): the image config records it for anyone who pulls the image.`,
        ),
      );
    }
  }
  return { findings: out, secrets: [...secrets] };
}

/** A text with every one of these secrets masked (steps and labels that held them). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(mask(secret));
  return out;
}
