import type { ReactNode } from 'react';
import { ErrorState, TableSkeleton } from './states.tsx';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

/**
 * A list as a table with the states every list has: an error with retry above it, skeleton rows
 * while the first page loads, and `empty` (what to do next) when there is nothing.
 */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  pending,
  error,
  onRetry,
  empty,
  compact,
}: {
  label: string;
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  pending: boolean;
  error?: unknown;
  onRetry?: () => void;
  empty?: ReactNode;
  compact?: boolean;
}) {
  return (
    <>
      {error ? <ErrorState error={error} {...(onRetry ? { onRetry } : {})} /> : null}
      <table className={compact ? 'table compact' : 'table'} aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        {pending ? (
          <TableSkeleton cols={columns.length} />
        ) : (
          <tbody>
            {(rows ?? []).map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.header} className={c.className}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {!pending && !error && rows?.length === 0 ? empty : null}
    </>
  );
}
