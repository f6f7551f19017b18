import { useEffect, useId, useState } from 'react';
import { useRegistries } from '../api/registries/get-registries.ts';
import { useUrlFilters } from '../lib/use-url-filters.ts';

/** The filters that pick images (registry instance, namespace, repository, digest, name). */
export const SCOPE_FILTER_KEYS = ['instanceId', 'namespace', 'repository', 'digest', 'name'];

/** A text filter that writes to the URL after the analyst pauses typing. */
export function TextFilter({
  name,
  label,
  placeholder,
}: {
  name: string;
  label: string;
  placeholder?: string;
}) {
  const { get, set } = useUrlFilters();
  const current = get(name);
  const [value, setValue] = useState(current);
  const id = useId();
  useEffect(() => setValue(current), [current]);
  useEffect(() => {
    if (value === current) return;
    const timer = setTimeout(() => set({ [name]: value.trim() || null }), 300);
    return () => clearTimeout(timer);
  }, [value, current, name, set]);
  return (
    <label className="filter" htmlFor={id}>
      <span>{label}</span>
      <input
        id={id}
        type="search"
        value={value}
        placeholder={placeholder}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => e.key === 'Enter' && set({ [name]: value.trim() || null })}
      />
    </label>
  );
}

export function InstanceFilter() {
  const { get, set } = useUrlFilters();
  const registries = useRegistries();
  const id = useId();
  return (
    <label className="filter" htmlFor={id}>
      <span>Instance ID</span>
      <select
        id={id}
        value={get('instanceId')}
        onChange={(e) => set({ instanceId: e.target.value || null })}
      >
        <option value="">All instances</option>
        {(registries.data ?? []).map((r) => (
          <option key={r.id} value={r.id}>
            {r.name} ({r.id.slice(0, 8)})
          </option>
        ))}
      </select>
    </label>
  );
}

/** Multi-select as toggle buttons (aria-pressed), e.g. priority High/Medium/Low. */
export function ToggleFilter<T extends string>({
  name,
  label,
  options,
}: {
  name: string;
  label: string;
  options: { value: T; label: string; className?: string }[];
}) {
  const { get, set } = useUrlFilters();
  const selected = new Set(get(name).split(',').filter(Boolean));
  const toggle = (v: string) => {
    const next = new Set(selected);
    if (next.has(v)) next.delete(v);
    else next.add(v);
    set({ [name]: [...next].join(',') || null });
  };
  return (
    <fieldset className="filter toggle-filter">
      <legend>{label}</legend>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={selected.has(o.value)}
          className={`toggle ${o.className ?? ''}`}
          onClick={() => toggle(o.value)}
        >
          {o.label}
        </button>
      ))}
    </fieldset>
  );
}

/** A URL filter with fixed choices; the first is the default and leaves the URL clean. */
export function SelectFilter({
  name,
  label,
  options,
}: {
  name: string;
  label: string;
  options: [value: string, label: string][];
}) {
  const { get, set } = useUrlFilters();
  const id = useId();
  const first = options[0]?.[0] ?? '';
  return (
    <label className="filter" htmlFor={id}>
      <span>{label}</span>
      <select
        id={id}
        value={get(name) || first}
        onChange={(e) => set({ [name]: e.target.value === first ? null : e.target.value })}
      >
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

export const StatusFilter = () => (
  <SelectFilter
    name="status"
    label="Status"
    options={[
      ['open', 'Open'],
      ['ignored', 'Ignored'],
      ['handled', 'Handled'],
      ['resolved', 'Resolved'],
    ]}
  />
);

/** Installed packages, or packages known only from lock files (lower confidence). */
export const FoundFilter = () => (
  <SelectFilter
    name="found"
    label="Found"
    options={[
      ['', 'Installed or in lock files'],
      ['installed', 'Installed'],
      ['declared', 'Only in lock files'],
    ]}
  />
);

/** Ignored findings by what their decision says (shown with the ignored status). */
export const DecisionFilter = () => (
  <SelectFilter
    name="decision"
    label="Decision"
    options={[
      ['', 'Any decision'],
      ['not_affected', 'Not affected'],
      ['accepted_risk', 'Accepted risk'],
      ['false_positive', 'False positive'],
      ['ignored', 'Ignored'],
    ]}
  />
);

/** Findings brought by the image's base image (its shared bottom layers) or by its own layers. */
export const IntroducedByFilter = () => (
  <SelectFilter
    name="introducedBy"
    label="Introduced by"
    options={[
      ['', 'Base image or own layers'],
      ['base', 'Base image'],
      ['own', 'Own layers'],
    ]}
  />
);

/** The image-scope filters every tab shares. */
export function ScopeFilters() {
  return (
    <>
      <InstanceFilter />
      <TextFilter name="namespace" label="Namespace" />
      <TextFilter name="repository" label="Repository" />
      <TextFilter name="digest" label="Digest" placeholder="sha256:…" />
    </>
  );
}

/** The list endpoint's query string from the page URL (only the keys the endpoint knows). */
export function listQuery(
  params: URLSearchParams,
  keys: string[],
  extra: Record<string, string> = {},
) {
  const q = new URLSearchParams();
  for (const k of keys) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}
