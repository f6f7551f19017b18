import type { ImageSecurityTab } from '@drydock/contract';

export const paths = {
  imageSecurity: {
    path: '/image-security/:tab',
    getHref: (tab: ImageSecurityTab = 'system') => `/image-security/${tab}`,
  },
  images: { path: '/images', getHref: () => '/images' },
  image: { path: '/images/:digest', getHref: (digest: string) => `/images/${digest}` },
  registries: { path: '/registries', getHref: () => '/registries' },
  scans: { path: '/scans', getHref: () => '/scans' },
  scan: { path: '/scans/:id', getHref: (id: string) => `/scans/${id}` },
  settings: { path: '/settings', getHref: () => '/settings' },
} as const;
