// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { advisoryStatusQueryOptions } from '../src/api/advisories/get-advisory-status.ts';
import { sessionQueryOptions } from '../src/api/auth/get-session.ts';
import { affectedImagesQueryOptions } from '../src/api/findings/get-affected-images.ts';
import { imageQueryOptions } from '../src/api/findings/get-image.ts';
import { imagesQueryOptions } from '../src/api/findings/get-images.ts';
import { sampleQueryOptions } from '../src/api/findings/get-sample.ts';
import { samplesQueryOptions } from '../src/api/findings/get-samples.ts';
import { summaryQueryOptions } from '../src/api/findings/get-summary.ts';
import { trendQueryOptions } from '../src/api/findings/get-trend.ts';
import { vulnerabilitiesQueryOptions } from '../src/api/findings/get-vulnerabilities.ts';
import { vulnerabilityQueryOptions } from '../src/api/findings/get-vulnerability.ts';
import { healthQueryOptions } from '../src/api/health/get-health.ts';
import { useRefreshScanResults } from '../src/api/refresh.ts';
import { namespacesQueryOptions } from '../src/api/registries/get-namespaces.ts';
import { registriesQueryOptions } from '../src/api/registries/get-registries.ts';
import { scanQueryOptions } from '../src/api/scans/get-scan.ts';
import { scansQueryOptions } from '../src/api/scans/get-scans.ts';
import { tokensQueryOptions } from '../src/api/tokens/get-tokens.ts';
import { usersQueryOptions } from '../src/api/users/get-users.ts';

/** Everything a finished scan changes: the views that show findings, registries and scans. */
const SCAN_RESULTS = [
  summaryQueryOptions(),
  trendQueryOptions(30),
  vulnerabilitiesQueryOptions('category=system'),
  vulnerabilityQueryOptions('CVE-2024-1'),
  affectedImagesQueryOptions('CVE-2024-1', 'page=2'),
  samplesQueryOptions(''),
  sampleQueryOptions('ab'.repeat(32)),
  imagesQueryOptions('page=1'),
  imageQueryOptions('sha256:1'),
  registriesQueryOptions(),
  namespacesQueryOptions('00000000-0000-4000-8000-000000000001'),
  scansQueryOptions(1),
  scanQueryOptions('00000000-0000-4000-8000-000000000002'),
];
const UNRELATED = [
  sessionQueryOptions(),
  healthQueryOptions(),
  usersQueryOptions(),
  tokensQueryOptions(),
  advisoryStatusQueryOptions(),
];

describe('console query keys', () => {
  it('are unique per query', () => {
    const keys = [...SCAN_RESULTS, ...UNRELATED].map((o) => JSON.stringify(o.queryKey));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('nest under their resource, so a finished scan refreshes every view of its results and nothing else', () => {
    // No observers: invalidated queries are marked, not refetched.
    const client = new QueryClient();
    for (const o of [...SCAN_RESULTS, ...UNRELATED]) client.setQueryData(o.queryKey, {});
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    );
    const { result } = renderHook(() => useRefreshScanResults(), { wrapper });
    act(() => result.current());
    const invalidated = (o: { queryKey: readonly unknown[] }) =>
      client.getQueryState(o.queryKey)?.isInvalidated;
    expect(SCAN_RESULTS.filter((o) => !invalidated(o)).map((o) => o.queryKey)).toEqual([]);
    expect(UNRELATED.filter(invalidated).map((o) => o.queryKey)).toEqual([]);
  });
});
