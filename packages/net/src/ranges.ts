import { BlockList, isIP } from 'node:net';

/** What kind of network an address belongs to. Anything but `public` needs explicit consent. */
export type RangeKind =
  | 'public'
  | 'loopback'
  | 'link-local'
  | 'private'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

export interface AddressRange {
  kind: RangeKind;
  /** The range by name (`loopback`, `link-local`, `private 10.0.0.0/8`, …); `public` for the rest. */
  name: string;
}

const TABLE: [RangeKind, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'],
];

const LISTS = TABLE.map(([kind, net, bits, family]) => {
  const list = new BlockList();
  list.addSubnet(net, bits, family);
  const name =
    kind === 'private' || kind === 'reserved'
      ? `${kind} ${net}/${bits}`
      : kind === 'unspecified'
        ? 'unspecified'
        : kind;
  return { kind, name, family, list };
});

/** The names of the private ranges (RFC 1918, shared address space, IPv6 unique local). */
export const PRIVATE_RANGES: readonly string[] = LISTS.filter((l) => l.kind === 'private').map(
  (l) => l.name,
);

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::…`) IPv6 address. */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = Number.parseInt(hex[1] as string, 16);
    const lo = Number.parseInt(hex[2] as string, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

/** The range an IP address lies in. Throws on something that is not an IP address. */
export function rangeOf(address: string): AddressRange {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (!family) throw new Error(`'${address}' is not an IP address`);
  const v4 = family === 6 ? embeddedIPv4(bare) : undefined;
  if (v4) return rangeOf(v4);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const entry of LISTS) {
    if (entry.family === type && entry.list.check(bare, type)) {
      return { kind: entry.kind, name: entry.name };
    }
  }
  return { kind: 'public', name: 'public' };
}

/** Which addresses outbound requests may reach. */
export interface EgressRules {
  /**
   * Non-public ranges (by `AddressRange.name`) that are allowed too: the ranges of a registry's own
   * address, so a registry on a private network can be reached and can redirect within it.
   */
  allowRanges?: readonly string[];
  /** Every address (an administrator's explicit choice for one target). */
  allowPrivate?: boolean;
}

/** Why a request to that address is refused, or undefined when it is allowed. */
export function egressRefusal(address: string, rules: EgressRules = {}): string | undefined {
  const range = rangeOf(address);
  if (range.kind === 'public') return undefined;
  if (range.kind === 'unspecified' || range.kind === 'multicast') {
    return `${address} is ${range.name === 'unspecified' ? 'an unspecified' : 'a multicast'} address`;
  }
  if (rules.allowPrivate) return undefined;
  if (rules.allowRanges?.includes(range.name)) return undefined;
  return `${address} is a ${range.name} address`;
}
