import type { ReactNode } from 'react';
import { ApiError } from '../lib/api-client.ts';

export function TableSkeleton({ rows = 5, cols = 5 }: { rows?: number; cols?: number }) {
  return (
    <tbody aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r} className="skeleton-row">
          {Array.from({ length: cols }, (_, c) => (
            <td key={c}>
              <span className="skeleton" />
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}

export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        <p key={i}>
          <span className="skeleton" />
        </p>
      ))}
    </div>
  );
}

/** What went wrong, readably: the API's problem detail, else the error's text; null for no error. */
export const errorMessage = (error: unknown): string | null =>
  error instanceof ApiError ? error.message : error ? String(error) : null;

/** A one-line error beside the control that caused it (nothing when there is no error). */
export function InlineError({ error, inline }: { error: unknown; inline?: boolean }) {
  const message = errorMessage(error);
  if (!message) return null;
  return inline ? (
    <span className="inline-error" role="alert">
      {message}
    </span>
  ) : (
    <p className="inline-error" role="alert">
      {message}
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message =
    error instanceof ApiError
      ? `${error.message} (HTTP ${error.status})`
      : error instanceof Error
        ? error.message
        : 'Something went wrong';
  return (
    <div className="error-state" role="alert">
      <p>Could not load this: {message}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
