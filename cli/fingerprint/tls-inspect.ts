/**
 * One look at a controller's certificate: TLS handshake, read the certificate, close. Nothing is
 * sent after the handshake — no HTTP request, so no credentials and no request the controller logs.
 *
 * This connection does not verify the chain (the controller's certificate is self-signed, that is
 * why it gets pinned); the setting is scoped to this one socket, never process-wide. What it
 * prints is trust-on-first-use: the operator confirms it out of band (see docs/onboarding.md).
 */
import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { DEFAULT_VNS3_API_PORT } from "../../contract/vns3";
import { formatHostPort } from "../shared/host-port";
import { terminalSafe } from "../shared/terminal-text";

/** What the certificate says, in the forms the environment file and a human need. */
export interface CertificateInfo {
  readonly host: string;
  readonly port: number;
  /** SNI sent (host names only). */
  readonly servername?: string | undefined;
  /** TLS version negotiated, e.g. TLSv1.3. */
  readonly protocol: string | null;
  /** SHA-256 fingerprint, colon-separated upper-case: the form `tlsSha256` takes. */
  readonly sha256: string;
  readonly subject: string;
  readonly issuer: string;
  /** ISO 8601. */
  readonly notBefore: string;
  /** ISO 8601. */
  readonly notAfter: string;
  readonly expired: boolean;
  readonly notYetValid: boolean;
  /** Subject alternative names as OpenSSL prints them (`DNS:…`, `IP Address:…`). */
  readonly subjectAltNames: readonly string[];
  /** Issued by itself and signed by its own key. */
  readonly selfSigned: boolean;
}

/** Why no certificate could be read. */
export type InspectFailure = "refused" | "timeout" | "dns" | "not_tls" | "network";

/** No certificate could be read; `message` says what happened and what to look at. */
export class InspectError extends Error {
  constructor(
    readonly kind: InspectFailure,
    message: string,
  ) {
    super(message);
    this.name = "InspectError";
  }
}

/** Options of {@link inspectCertificate}. */
export interface InspectOptions {
  readonly host: string;
  /** @default 8000 */
  readonly port?: number;
  /** Connect + handshake budget. @default 10000 */
  readonly timeoutMs?: number;
  /** For the validity verdict. @default now */
  readonly now?: Date;
}

function describe(error: NodeJS.ErrnoException, host: string, port: number, connected: boolean): InspectError {
  const where = formatHostPort(host, port);
  const code = error.code ?? "";
  if (code === "ECONNREFUSED") {
    return new InspectError("refused", `connection refused by ${where}: nothing listens on that port, or a firewall rejects the connection`);
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NODATA" || code === "EAI_NONAME") {
    return new InspectError("dns", `cannot resolve ${JSON.stringify(host)} (${code}): check the name, or use the controller's IP address`);
  }
  if (code.startsWith("ERR_SSL_") || code === "EPROTO" || (connected && (code === "ECONNRESET" || code === "EPIPE"))) {
    return new InspectError("not_tls", `${where} accepted the connection but did not complete a TLS handshake (${code || error.message}): is this the VNS3 API port (${DEFAULT_VNS3_API_PORT})?`);
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new InspectError("network", `${where} is unreachable from here (${code}): run this from a host with a route to the controller`);
  }
  return new InspectError("network", `connection to ${where} failed: ${code ? `${code}: ` : ""}${error.message}`);
}

function lines(dn: string): string {
  return dn.split("\n").filter(Boolean).join(", ");
}

/**
 * Self-signed: the subject equals the issuer AND the signature verifies with the certificate's
 * own public key. Not `checkIssued`: OpenSSL's X509_check_issued also demands keyCertSign in the
 * key usage, which a controller's own certificate (digitalSignature only) lacks.
 */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Connects, reads the peer certificate, closes. @throws InspectError */
export function inspectCertificate(options: InspectOptions): Promise<CertificateInfo> {
  const host = options.host;
  const port = options.port ?? DEFAULT_VNS3_API_PORT;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const servername = net.isIP(host) === 0 ? host : undefined;
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const socket = tls.connect({
      host,
      port,
      servername,
      // Inspection only: the chain of a self-signed certificate cannot verify. This socket only.
      rejectUnauthorized: false,
    });
    const finish = (error: InspectError | undefined, info?: CertificateInfo): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) {
        socket.destroy();
        reject(error);
        return;
      }
      // close_notify and FIN, then make sure the handle goes even if the peer never closes.
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
      resolve(info as CertificateInfo);
    };
    const timer = setTimeout(() => {
      const phase = connected ? "TLS handshake" : "TCP connect";
      finish(
        new InspectError(
          "timeout",
          `no answer from ${host}:${port} within ${timeoutMs / 1000} s (during ${phase}): a security group or firewall dropping the packets, or the wrong host/port`,
        ),
      );
    }, timeoutMs);
    socket.once("connect", () => {
      connected = true;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => finish(describe(error, host, port, connected)));
    socket.once("secureConnect", () => {
      const raw = socket.getPeerCertificate(false)?.raw;
      if (raw === undefined || raw.length === 0) {
        finish(new InspectError("not_tls", `${host}:${port} completed a TLS handshake without presenting a certificate`));
        return;
      }
      const cert = new X509Certificate(raw);
      const now = options.now ?? new Date();
      const notBefore = new Date(cert.validFrom);
      const notAfter = new Date(cert.validTo);
      finish(undefined, {
        host,
        port,
        servername,
        protocol: socket.getProtocol(),
        sha256: cert.fingerprint256,
        subject: lines(cert.subject),
        issuer: lines(cert.issuer),
        notBefore: notBefore.toISOString(),
        notAfter: notAfter.toISOString(),
        expired: now.getTime() > notAfter.getTime(),
        notYetValid: now.getTime() < notBefore.getTime(),
        subjectAltNames: cert.subjectAltName ? cert.subjectAltName.split(", ") : [],
        selfSigned: isSelfSigned(cert),
      });
    });
  });
}

/** Validity warnings, one line each; empty when the certificate is valid now. */
export function validityWarnings(info: CertificateInfo): string[] {
  const warnings: string[] = [];
  if (info.expired) warnings.push(`WARNING: the certificate expired on ${info.notAfter}. The pin still works, but a renewal changes the fingerprint.`);
  if (info.notYetValid) warnings.push(`WARNING: the certificate is not valid before ${info.notBefore} (check the controller's clock).`);
  return warnings;
}

/** The flag that lets `fingerprint` and onboarding pin a certificate that is not self-signed. */
export const ALLOW_ISSUED_FLAG = "allow-issued-certificate";

/**
 * Why a certificate is not offered for pinning, or undefined when it is. A VNS3 controller's own
 * certificate is self-signed; one issued by someone else is most often a TLS-inspecting proxy's
 * (or a load balancer's) between this host and the controller, and pinning it would make the
 * checker, which has a direct path, refuse the real controller. The issuer is escaped: it is
 * whatever the peer wrote.
 */
export function issuedCertificateRefusal(info: Pick<CertificateInfo, "selfSigned" | "issuer" | "host" | "port">): string | undefined {
  if (info.selfSigned) return undefined;
  return (
    `the certificate ${formatHostPort(info.host, info.port)} presented is not self-signed: it was issued by "${terminalSafe(info.issuer, 200) || "(empty)"}". ` +
    "A VNS3 controller's own certificate is self-signed; this one is most likely a TLS-inspecting proxy's or a load balancer's between here and the controller, " +
    "and pinning it would make the checker refuse the real controller. Run this from a host with a direct path to the controller " +
    `(the checker's subnet), or, if the controller really carries a CA-issued certificate, pass --${ALLOW_ISSUED_FLAG}.`
  );
}

/** The warning printed when an issued certificate is pinned anyway (--allow-issued-certificate). */
export function issuedCertificateWarning(info: Pick<CertificateInfo, "issuer">): string {
  return `WARNING: pinning a certificate issued by "${terminalSafe(info.issuer, 200) || "(empty)"}", not a self-signed one (--${ALLOW_ISSUED_FLAG}): make sure it is the controller's own and not a proxy's.`;
}

/**
 * The human report of `npm run fingerprint`. What the certificate says (subject, issuer, names)
 * is the controller's text: escaped and bounded before it reaches the terminal.
 */
export function formatCertificateReport(info: CertificateInfo): string[] {
  const row = (label: string, value: string) => `  ${label.padEnd(12)} ${value}`;
  const defaultPort = info.port === DEFAULT_VNS3_API_PORT;
  return [
    `Certificate presented by ${formatHostPort(info.host, info.port)}${info.protocol ? ` (${info.protocol})` : ""}`,
    row("SHA-256", info.sha256),
    row("Subject", terminalSafe(info.subject) || "(empty)"),
    row("Issuer", terminalSafe(info.issuer) || "(empty)"),
    row("Self-signed", info.selfSigned ? "yes (issued by itself, signature verified with its own key)" : "no"),
    row("Not before", info.notBefore),
    row("Not after", info.notAfter),
    row("SANs", info.subjectAltNames.length > 0 ? terminalSafe(info.subjectAltNames.join(", "), 400) : "(none)"),
    ...validityWarnings(info),
    ...(info.selfSigned ? [] : [issuedCertificateWarning(info)]),
    "",
    "This connection did not verify the certificate: confirm the fingerprint out of band (docs/onboarding.md).",
    "Pin it under the controller in environments/<name>.yaml:",
    `    tlsSha256: "${info.sha256}"`,
    `or onboard with: --controller name=…,host=${info.host}${defaultPort ? "" : `,port=${info.port}`},sg=…,fingerprint=${info.sha256}`,
    "",
    "Rotating the controller's certificate? Run this against the NEW certificate before the controller presents it",
    "(or while it does), and add it beside the current pin, so both are accepted while the change happens:",
    `    tlsSha256Next: "${info.sha256}"`,
    "Once the controller presents the new certificate, move that value to tlsSha256 and remove tlsSha256Next (docs/onboarding.md \"Rotating a controller's certificate\").",
  ];
}
