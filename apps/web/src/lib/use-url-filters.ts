import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/**
 * Filters, sorting, paging and the open drawer live in the URL: shareable, and the back button
 * steps through them. Changing a filter goes back to page 1.
 */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const get = useCallback((key: string) => params.get(key) ?? '', [params]);
  const set = useCallback(
    (changes: Record<string, string | null | undefined>, options: { keepPage?: boolean } = {}) => {
      setParams((current) => {
        const next = new URLSearchParams(current);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null || v === undefined || v === '') next.delete(k);
          else next.set(k, v);
        }
        if (!options.keepPage && !('page' in changes)) next.delete('page');
        return next;
      });
    },
    [setParams],
  );
  return { params, get, set };
}
