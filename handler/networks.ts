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

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** A dotted-quad IPv4 address as an unsigned 32-bit integer, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.trim().split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
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

/** The key of the network of `prefix` bits that contains `network` (for set lookups). */
export function supernetKey(network: Ipv4Network, prefix: number): string {
  return `${(network.address & maskOf(prefix)) >>> 0}/${prefix}`;
}

/** The key of a network itself. */
export function networkKey(network: Ipv4Network): string {
  return supernetKey(network, network.prefix);
}
