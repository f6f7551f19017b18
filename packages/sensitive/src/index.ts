export { configChecks, isLatestRef } from './config-checks.ts';
export { configSecrets, redact } from './config-secrets.ts';
export { readCredentialFile } from './credential-files.ts';
export { type SensitiveContext, secretFinding } from './finding.ts';
export { ghostFindings } from './ghost.ts';
export { isAllowListed, wantsFile } from './paths.ts';
export { compileRules, loadSecretRules, type SecretRule, type SecretRuleSet } from './rules.ts';
export {
  createSensitiveScan,
  dedupe,
  type SensitiveOptions,
  type SensitiveScan,
} from './scan.ts';
export { findSecrets, findSecretsInFile, type SecretHit } from './secrets.ts';
export { entropy, findingId, isPlaceholder, mask } from './text.ts';
