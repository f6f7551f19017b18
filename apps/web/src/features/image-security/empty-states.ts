import type { ImageSecurityTab } from '@drydock/contract';

export const EMPTY_STATES: Record<ImageSecurityTab, { title: string; body: string }> = {
  system: {
    title: 'No image system vulnerabilities yet',
    body: 'Vulnerable OS packages (dpkg, apk, rpm) appear here once images are scanned. Connect a registry and press Scan Now, or scan an image tarball from a pipeline with the CLI.',
  },
  application: {
    title: 'No image application vulnerabilities yet',
    body: 'Vulnerable language packages (npm, PyPI, Maven, Go, Rust, Ruby, PHP, .NET) appear here once images are scanned. Connect a registry and press Scan Now, or scan an image tarball with the CLI.',
  },
  malicious: {
    title: 'No malicious image samples yet',
    body: 'Miners, webshells, backdoors, rootkits and other malicious files found in any image layer appear here, graded Urgent, Warning or Notice. Scan images to look for them.',
  },
};
