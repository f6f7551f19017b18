import { useUrlFilters } from '../lib/use-url-filters.ts';
import { Pagination } from './pagination.tsx';

/** Pagination of a list page whose page number lives in the URL; hidden when the list is empty. */
export function UrlPagination({
  data,
}: {
  data: { page: number; pageSize: number; total: number } | undefined;
}) {
  const { set } = useUrlFilters();
  if (!data || data.total === 0) return null;
  return (
    <Pagination
      page={data.page}
      pageSize={data.pageSize}
      total={data.total}
      onPage={(p) => set({ page: String(p) })}
    />
  );
}
