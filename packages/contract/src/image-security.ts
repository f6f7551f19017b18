import { z } from 'zod';

/** The four tabs of the Image Security page, in display order. */
export const ImageSecurityTabSchema = z.enum(['system', 'application', 'malicious', 'sensitive']);
export type ImageSecurityTab = z.infer<typeof ImageSecurityTabSchema>;

export const IMAGE_SECURITY_TABS: ReadonlyArray<{ id: ImageSecurityTab; label: string }> = [
  { id: 'system', label: 'Image System Vulnerabilities' },
  { id: 'application', label: 'Image Application Vulnerabilities' },
  { id: 'malicious', label: 'Malicious Image Samples' },
  { id: 'sensitive', label: 'Sensitive Content' },
];
