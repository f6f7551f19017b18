import { ScanCreatedSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send, withQuery } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** The tarball types the API takes; anything else (e.g. .tar with no type) goes as bytes. */
const UPLOAD_TYPES = new Set(['application/x-tar', 'application/gzip']);

/** Uploads an image tarball (docker save / OCI archive, optionally gzipped) to be scanned. */
export function uploadScan(file: File) {
  const body = UPLOAD_TYPES.has(file.type)
    ? file
    : new Blob([file], { type: 'application/octet-stream' });
  // The name is kept within what the API accepts (letters, digits and ._-:@/+).
  const name = file.name.replace(/[^\w.@:/+-]/g, '_').slice(0, 200) || 'upload.tar';
  return send(ScanCreatedSchema, withQuery('/api/v1/scans/upload', { name }), 'POST', body);
}

export function useUploadScan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: uploadScan,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.scans }),
  });
}
