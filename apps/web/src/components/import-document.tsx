import type { UseMutationResult } from '@tanstack/react-query';
import { useId } from 'react';
import { InlineError } from './states.tsx';

/** A button that opens the file chooser and hands over the chosen file. */
export function FileButton({
  label,
  accept,
  disabled,
  onFile,
}: {
  label: string;
  accept: string;
  disabled: boolean;
  onFile: (file: File) => void;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="button-like">
        {label}
      </label>
      <input
        id={id}
        type="file"
        className="visually-hidden"
        accept={accept}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) onFile(file);
        }}
      />
    </>
  );
}

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
  return (
    <div className="upload">
      <FileButton
        label={mutation.isPending ? 'Reading…' : label}
        accept=".json,application/json"
        disabled={mutation.isPending}
        onFile={(file) => mutation.mutate(file)}
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
