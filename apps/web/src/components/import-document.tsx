import type { UseMutationResult } from '@tanstack/react-query';
import { useId } from 'react';
import { InlineError } from './states.tsx';

/**
 * A button that sends a JSON document from this computer (an SBOM, a VEX) and says what came of
 * it (`describe`), or the API's error naming the field and line.
 */
export function ImportDocumentButton<R>({
  label,
  mutation,
  describe,
}: {
  label: string;
  mutation: UseMutationResult<R, Error, File>;
  describe: (result: R) => string;
}) {
  const id = useId();
  return (
    <div className="upload">
      <label htmlFor={id} className="button-like">
        {mutation.isPending ? 'Reading…' : label}
      </label>
      <input
        id={id}
        type="file"
        className="visually-hidden"
        accept=".json,application/json"
        disabled={mutation.isPending}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) mutation.mutate(file);
        }}
      />
      {mutation.data ? (
        <span role="status" className="muted">
          {describe(mutation.data)}
        </span>
      ) : null}
      <InlineError error={mutation.error} inline />
    </div>
  );
}
