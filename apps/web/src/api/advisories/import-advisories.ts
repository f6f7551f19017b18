import { AdvisoryImportAcceptedSchema, type AdvisoryImportRequest } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Queues an import from a mirror (a path or URL the server allows). */
export const importAdvisories = (body: AdvisoryImportRequest) =>
  send(AdvisoryImportAcceptedSchema, '/api/v1/advisories/import', 'POST', body);

export function useImportAdvisories() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: importAdvisories,
    // The import runs on a worker: its row appears at once and is followed while it runs.
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.advisories }),
  });
}
