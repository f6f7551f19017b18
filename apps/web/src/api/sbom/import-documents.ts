import { SbomImportedSchema, VexImportedSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send, withQuery } from '../../lib/api-client.ts';

/** A JSON document from this computer, sent as it is (the API names its lines in errors). */
const asJson = (file: File) => new Blob([file], { type: 'application/json' });

/** Reads a CycloneDX or SPDX SBOM made by any tool and shows it like a scanned image. */
export function useImportSbom() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (file: File) =>
      send(
        SbomImportedSchema,
        withQuery('/api/v1/sboms', { name: file.name.replace(/\.json$/i, '').slice(0, 200) }),
        'POST',
        asJson(file),
      ),
    onSuccess: () => client.invalidateQueries(),
  });
}

/** Applies an OpenVEX, CycloneDX VEX or CSAF VEX document as triage decisions. */
export function useImportVex() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => send(VexImportedSchema, '/api/v1/vex', 'POST', asJson(file)),
    onSuccess: () => client.invalidateQueries(),
  });
}
