import type { SensitiveKind } from '@drydock/contract';

/** The kinds of sensitive content, as the tab's filter and drawer name them. */
export const SENSITIVE_KINDS: { value: SensitiveKind; label: string }[] = [
  { value: 'secret', label: 'Secrets' },
  { value: 'config', label: 'Configuration' },
  { value: 'ghost', label: 'Ghost content' },
];
export const kindLabel = (kind: SensitiveKind) =>
  SENSITIVE_KINDS.find((k) => k.value === kind)?.label ?? kind;
