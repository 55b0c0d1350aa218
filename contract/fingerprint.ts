/**
 * The pinned certificate fingerprint: one format, one normalizer, for the definition file, the
 * checker's configuration, the fingerprint tool and onboarding.
 *
 * Canonical form: 32 upper-case hex bytes joined by colons, as `openssl x509 -fingerprint -sha256`
 * and Node's `X509Certificate.fingerprint256` print it.
 */

/** What an operator may paste: colons, spaces or nothing between bytes, openssl's prefix, any case. */
export const FINGERPRINT_FORMAT =
  "a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's `sha256 Fingerprint=` prefix is fine)";

/** `sha256 Fingerprint=`, `SHA256 Fingerprint=` (openssl) or `sha256:` before the digits. */
const PREFIX = /^\s*(?:sha-?256\s*fingerprint\s*=|sha-?256\s*[:=])\s*/i;

/**
 * The canonical form of a pasted fingerprint, or undefined when it is not one. Separators must be
 * consistent per byte (`AB:CD`, `AB CD`, `ABCD`), so a mistyped digit count is caught.
 */
export function parseFingerprint(input: string): string | undefined {
  const body = input.replace(PREFIX, "").trim();
  if (!/^[0-9a-fA-F]{2}(?:[:\s]?[0-9a-fA-F]{2}){31}$/.test(body)) return undefined;
  const hex = body.replace(/[:\s]/g, "").toUpperCase();
  return hex.match(/.{2}/g)!.join(":");
}

/** Whether a certificate's fingerprint (any accepted form) matches a pinned one. */
export function fingerprintsMatch(pinned: string, actual: string): boolean {
  const a = parseFingerprint(pinned);
  return a !== undefined && a === parseFingerprint(actual);
}
