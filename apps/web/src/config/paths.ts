import type { ImageSecurityTab } from '@drydock/contract';

/** `?a=1&b=2` from the given values ('' when there are none). */
const search = (params: Record<string, string> = {}) => {
  const s = new URLSearchParams(params).toString();
  return s ? `?${s}` : '';
};

/** Every page of the console: its route pattern and how to link to it. */
export const paths = {
  imageSecurity: {
    path: '/image-security/:tab',
    /** The section (any tab), for navigation. */
    root: '/image-security',
    /** `params` are the tab's filters and open drawer (`digest`, `vuln`, `sample`, …). */
    getHref: (tab: ImageSecurityTab = 'system', params?: Record<string, string>) =>
      `/image-security/${tab}${search(params)}`,
  },
  images: { path: '/images', getHref: () => '/images' },
  image: {
    path: '/images/:digest',
    getHref: (digest: string) => `/images/${encodeURIComponent(digest)}`,
  },
  fixPlan: { path: '/fix-plan', getHref: () => '/fix-plan' },
  changes: {
    path: '/changes',
    /** `params`: `scanId`, `imageId`, `since` (a date), `change`, `cause`… */
    getHref: (params?: Record<string, string>) => `/changes${search(params)}`,
  },
  registries: { path: '/registries', getHref: () => '/registries' },
  scans: { path: '/scans', getHref: () => '/scans' },
  scan: { path: '/scans/:id', getHref: (id: string) => `/scans/${encodeURIComponent(id)}` },
  settings: { path: '/settings', getHref: () => '/settings' },
} as const;
