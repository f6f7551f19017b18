/** The filters and page both audit logs take (empty values are left out of the URL). */
export interface AuditLogQuery {
  actor?: string;
  action?: string;
  outcome?: string;
  since?: string;
  page: number;
  pageSize: number;
  [key: string]: string | number | undefined;
}
