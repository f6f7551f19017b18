/**
 * Maps the informal license names package databases use to SPDX identifiers (the same mapping
 * scanners such as Trivy apply), so reports and policies compare like with like. Unknown names
 * pass through unchanged.
 */
const SPDX: Record<string, string> = {
  APACHE: 'Apache-2.0',
  APACHE2: 'Apache-2.0',
  'APACHE-2': 'Apache-2.0',
  'APACHE 2.0': 'Apache-2.0',
  'APACHE-2.0': 'Apache-2.0',
  'ASL 2.0': 'Apache-2.0',
  'ASL2.0': 'Apache-2.0',
  BSD: 'BSD-3-Clause',
  'BSD-2': 'BSD-2-Clause',
  'BSD-3': 'BSD-3-Clause',
  'BSD-4': 'BSD-4-Clause',
  GPL: 'GPL-2.0-or-later',
  GPL2: 'GPL-2.0-only',
  'GPL-2': 'GPL-2.0-only',
  GPLV2: 'GPL-2.0-only',
  'GPL2+': 'GPL-2.0-or-later',
  'GPL-2+': 'GPL-2.0-or-later',
  'GPLV2+': 'GPL-2.0-or-later',
  'GPL-2.0': 'GPL-2.0-only',
  'GPL-2.0+': 'GPL-2.0-or-later',
  GPL3: 'GPL-3.0-only',
  'GPL-3': 'GPL-3.0-only',
  GPLV3: 'GPL-3.0-only',
  'GPL3+': 'GPL-3.0-or-later',
  'GPL-3+': 'GPL-3.0-or-later',
  'GPLV3+': 'GPL-3.0-or-later',
  'GPL-3.0': 'GPL-3.0-only',
  'GPL-3.0+': 'GPL-3.0-or-later',
  LGPL: 'LGPL-2.0-or-later',
  LGPL2: 'LGPL-2.0-only',
  'LGPL2+': 'LGPL-2.0-or-later',
  'LGPLV2+': 'LGPL-2.0-or-later',
  'LGPL2.1': 'LGPL-2.1-only',
  'LGPL-2.1': 'LGPL-2.1-only',
  'LGPLV2.1': 'LGPL-2.1-only',
  'LGPL2.1+': 'LGPL-2.1-or-later',
  'LGPL-2.1+': 'LGPL-2.1-or-later',
  'LGPLV2.1+': 'LGPL-2.1-or-later',
  LGPL3: 'LGPL-3.0-only',
  'LGPL3+': 'LGPL-3.0-or-later',
  'LGPLV3+': 'LGPL-3.0-or-later',
  MPL: 'MPL-2.0',
  MPL2: 'MPL-2.0',
  'MPLV2.0': 'MPL-2.0',
  'MPL-2': 'MPL-2.0',
  'PUBLIC DOMAIN': 'Unlicense',
  'PUBLIC-DOMAIN': 'Unlicense',
  ZLIB: 'Zlib',
};

export function normalizeLicense(name: string): string {
  return SPDX[name.trim().toUpperCase()] ?? name.trim();
}
