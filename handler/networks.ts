/**
 * IPv4 networks as VNS3 writes them: CIDR text in a tunnel's `remote_subnet` ("192.168.10.0/22"),
 * and an address with a dotted netmask or a prefix string in `connected_subnets`
 * (["10.0.1.0", "255.255.255.0"], or `network` "10.0.1.0" with `cidr_mask` "24"). Pure.
 */

/** An IPv4 network: the address with its host bits cleared, and the prefix length. */
export interface Ipv4Network {
  /** Network address as an unsigned 32-bit integer. */
  readonly address: number;
  /** 0–32. */
  readonly prefix: number;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit integer, or undefined (no leading zeros, each octet 0–255). */
export function parseIpv4(text: string): number | undefined {
  // A hand-written scan: this runs for every connected subnet of every controller each minute.
  const s = text.trim();
  let value = 0;
  let octets = 0;
  let i = 0;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57 && i - start < 3) octet = octet * 10 + (s.charCodeAt(i++) - 48);
    const digits = i - start;
    if (digits === 0 || octet > 255 || (digits > 1 && s.charCodeAt(start) === 48)) return undefined;
    value = value * 256 + octet;
    octets += 1;
    if (octets < 4) {
      if (s.charCodeAt(i) !== 46) return undefined; // "."
      i += 1;
    }
  }
  return i === s.length ? value : undefined;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** A prefix length from "24", "/24" or a contiguous dotted netmask "255.255.255.0"; else undefined. */
export function parsePrefix(text: string): number | undefined {
  const trimmed = text.trim().replace(/^\//, "");
  if (/^\d{1,2}$/.test(trimmed)) {
    const prefix = Number(trimmed);
    return prefix <= 32 ? prefix : undefined;
  }
  const mask = parseIpv4(trimmed);
  if (mask === undefined) return undefined;
  // Contiguous ones then zeros: the inverted mask plus one is a power of two (or 2^32 for /0).
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return 32 - Math.log2(inverted + 1);
}

/**
 * A network from CIDR text ("10.0.0.0/24"), an address and a mask or prefix ("10.0.0.0",
 * "255.255.255.0" / "24"), or a bare address (a /32). Host bits are cleared. Undefined for
 * anything else (IPv6 included: VNS3's IPsec subnets are IPv4 in every published example).
 */
export function parseNetwork(address: string, maskOrPrefix?: string): Ipv4Network | undefined {
  let addressText = address;
  let prefixText = maskOrPrefix;
  const slash = address.indexOf("/");
  if (slash >= 0) {
    addressText = address.slice(0, slash);
    prefixText = address.slice(slash + 1);
  }
  const ip = parseIpv4(addressText);
  const prefix = prefixText === undefined ? 32 : parsePrefix(prefixText);
  if (ip === undefined || prefix === undefined) return undefined;
  return { address: (ip & maskOf(prefix)) >>> 0, prefix };
}

/** Canonical CIDR text: "10.50.0.0/24". */
export function formatNetwork(network: Ipv4Network): string {
  const a = network.address;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${network.prefix}`;
}

/** A number that identifies the network of `prefix` bits containing `network` (address × 64 + prefix). */
export function supernetKey(network: Ipv4Network, prefix: number): number {
  return ((network.address & maskOf(prefix)) >>> 0) * 64 + prefix;
}

/** A number that identifies a network. */
export function networkKey(network: Ipv4Network): number {
  return supernetKey(network, network.prefix);
}
