/** IPv4 CIDR ranges, as NetworkPolicy ipBlocks take them. */

export interface Ipv4Range {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; undefined unless every octet is 0–255 and n is 0–32. */
export function parseCidr(text: string): Ipv4Range | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((sum, o) => sum * 256 + o, 0);
  return { base, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix)) >>> 0;
}

/** Whether the address part is the network address (no host bits set), as `10.0.0.0/8` but not `10.0.0.1/8`. */
export function isNetworkAddress(range: Ipv4Range): boolean {
  return ((range.base & mask(range.prefix)) >>> 0) === range.base;
}

/** Whether two ranges share any address. */
export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(prefix)) >>> 0) === ((b.base & mask(prefix)) >>> 0);
}
