/**
 * A host as operators paste it, wherever a CLI asks for one: `10.0.1.10`, `10.0.1.10:8000`,
 * `vns3.acme.internal:8443`, `[fd00::10]:8000`, a bare IPv6 address, or the same with
 * `https://` in front and a path after (copied from a browser's address bar).
 */
import * as net from "node:net";

/** What a host field accepts, for help and errors. */
export const HOST_FORMAT = "an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000)";

/** A parsed host: the port only when one was written. */
export type HostPort = { readonly ok: true; readonly host: string; readonly port?: number } | { readonly ok: false; readonly problem: string };

const PORT = /^\d{1,5}$/;

function port(text: string): number | undefined {
  const value = Number(text);
  return PORT.test(text) && value >= 1 && value <= 65535 ? value : undefined;
}

/** Splits `host[:port]`; IPv6 needs brackets when a port follows. Does not judge the host name itself. */
export function parseHostPort(input: string): HostPort {
  const trimmed = input.trim();
  // Only a URL has a path to drop: `10.0.1.10/24` is a mistake, not a host.
  const text = /^https?:\/\//i.test(trimmed) ? trimmed.replace(/^https?:\/\//i, "").replace(/\/.*$/, "") : trimmed;
  if (text === "") return { ok: false, problem: `expected ${HOST_FORMAT}` };
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    const host = bracketed[1] as string;
    if (net.isIPv6(host) === false) return { ok: false, problem: `expected an IPv6 address inside [ ], got ${JSON.stringify(host)}` };
    if (bracketed[2] === undefined) return { ok: true, host };
    const p = port(bracketed[2]);
    return p === undefined ? { ok: false, problem: `expected a port 1-65535 after ${JSON.stringify(`[${host}]:`)}` } : { ok: true, host, port: p };
  }
  if (net.isIPv6(text)) return { ok: true, host: text };
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { ok: true, host: text };
  const host = text.slice(0, colon);
  if (host.includes(":")) return { ok: false, problem: "expected an IPv6 address in brackets when a port follows, e.g. [fd00::10]:8000" };
  const p = port(text.slice(colon + 1));
  if (host === "" || p === undefined) return { ok: false, problem: `expected ${HOST_FORMAT}` };
  return { ok: true, host, port: p };
}

/** `host:port`, with brackets around an IPv6 address. */
export function formatHostPort(host: string, portNumber: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${portNumber}`;
}
