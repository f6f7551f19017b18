import type { AccessScope, Registry } from '@drydock/contract';
import { useNamespaces } from '../../api/registries/get-namespaces.ts';
import { useRegistries } from '../../api/registries/get-registries.ts';

/**
 * Limits an account or token to registry instances and/or namespaces; nothing ticked = every
 * image. Ticking an instance covers all its namespaces (present and future).
 */
export function ScopePicker({
  value,
  onChange,
}: {
  value: AccessScope;
  onChange: (scope: AccessScope) => void;
}) {
  const registries = useRegistries();
  if (!registries.data?.length) return null;
  const empty = value.instanceIds.length === 0 && value.namespaceIds.length === 0;
  return (
    <fieldset className="scope-picker">
      <legend>Scope {empty ? '(nothing ticked: every image)' : ''}</legend>
      {registries.data.map((r) => (
        <InstanceScope key={r.id} registry={r} value={value} onChange={onChange} />
      ))}
    </fieldset>
  );
}

function InstanceScope({
  registry,
  value,
  onChange,
}: {
  registry: Registry;
  value: AccessScope;
  onChange: (scope: AccessScope) => void;
}) {
  const namespaces = useNamespaces(registry.id);
  const whole = value.instanceIds.includes(registry.id);
  const toggle = (list: string[], id: string, on: boolean) =>
    on ? [...list, id] : list.filter((x) => x !== id);
  return (
    <div className="scope-instance">
      <label>
        <input
          type="checkbox"
          checked={whole}
          onChange={(e) => {
            const own = new Set((namespaces.data ?? []).map((n) => n.id));
            onChange({
              instanceIds: toggle(value.instanceIds, registry.id, e.target.checked),
              // The whole instance replaces any of its namespaces picked one by one.
              namespaceIds: e.target.checked
                ? value.namespaceIds.filter((id) => !own.has(id))
                : value.namespaceIds,
            });
          }}
        />{' '}
        {registry.name} <span className="muted">(whole instance)</span>
      </label>
      {(namespaces.data ?? []).length > 0 ? (
        <ul className="scope-namespaces">
          {(namespaces.data ?? []).map((n) => (
            <li key={n.id}>
              <label>
                <input
                  type="checkbox"
                  disabled={whole}
                  checked={whole || value.namespaceIds.includes(n.id)}
                  onChange={(e) =>
                    onChange({
                      ...value,
                      namespaceIds: toggle(value.namespaceIds, n.id, e.target.checked),
                    })
                  }
                />{' '}
                {n.name || '(top level)'}{' '}
                <span className="muted">
                  {n.repositories} repositories, {n.images} images
                </span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** "every image", or what the scope covers, in words. */
export function describeScope(scope: AccessScope, registries: Registry[] | undefined): string {
  if (scope.instanceIds.length + scope.namespaceIds.length === 0) return 'every image';
  const names = scope.instanceIds.map(
    (id) => registries?.find((r) => r.id === id)?.name ?? 'an instance',
  );
  const parts = [...names];
  if (scope.namespaceIds.length) parts.push(`${scope.namespaceIds.length} namespace(s)`);
  return parts.join(', ');
}
