import type { ImageSecurityTab } from '@drydock/contract';

export const paths = {
  imageSecurity: {
    path: '/image-security/:tab',
    getHref: (tab: ImageSecurityTab = 'system') => `/image-security/${tab}`,
  },
} as const;
