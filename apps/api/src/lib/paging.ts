/** Which page of a list, as every list endpoint takes it (`PageQuerySchema`). */
export interface PageQuery {
  page: number;
  pageSize: number;
}

/** Prisma's `skip`/`take` for a page. */
export const pageWindow = ({ page, pageSize }: PageQuery) => ({
  skip: (page - 1) * pageSize,
  take: pageSize,
});

/** A page in the contract's envelope (`pageOf`): its items, where it is, and the total. */
export const toPage = <T>({ page, pageSize }: PageQuery, items: T[], total: number) => ({
  items,
  page,
  pageSize,
  total,
});
