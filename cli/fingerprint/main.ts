/**
 * `npm run fingerprint -- <host>[:port] [port]`: prints the SHA-256 fingerprint of a controller's
 * certificate (and what else the certificate says) in the form `tlsSha256` takes.
 * A certificate that is not self-signed (a TLS-inspecting proxy's, most likely) is refused unless
 * --allow-issued-certificate is given.
 * Exit codes: 0 certificate read, 1 no certificate (refused, timeout, DNS, not TLS) or not self-signed, 2 usage.
 */
import { DEFAULT_VNS3_API_PORT } from "../../contract/vns3";
import { lastValue, type CommandSpec, type ParsedArgs } from "../shared/args";
import { HOST_FORMAT, parseHostPort } from "../shared/host-port";
import type { CliIo } from "../shared/io";
import { EXIT, runAsScript, runCommand } from "../shared/runner";
import { ALLOW_ISSUED_FLAG, formatCertificateReport, inspectCertificate, InspectError, issuedCertificateRefusal } from "./tls-inspect";

export const FINGERPRINT_COMMAND: CommandSpec = {
  usage: "npm run fingerprint --",
  summary: "Print the SHA-256 fingerprint of a VNS3 controller's TLS certificate, to pin as tlsSha256. Sends no request.",
  operands: [
    { name: "host", help: `the controller: ${HOST_FORMAT}` },
    { name: "port", help: `VNS3 API port, when not given as host:port (default ${DEFAULT_VNS3_API_PORT})`, required: false },
  ],
  flags: [
    { name: "timeout", value: "<seconds>", help: "connect and handshake timeout, more than 0 and at most 300 (default 10)" },
    { name: "json", help: 'print one JSON object (also on failure: {"error":{"kind","message"}})' },
    { name: ALLOW_ISSUED_FLAG, help: "print a certificate that is not self-signed too (a controller with a CA-issued certificate); by default it is refused, as a proxy's would be" },
  ],
  footer: "Exit codes: 0 certificate read, 1 no certificate (refused, timeout, DNS, not TLS) or not self-signed, 2 usage.",
};

/** Where to connect, or the problems of the command line. */
export function fingerprintTarget(args: ParsedArgs): { host: string; port: number; timeoutSeconds: number } | { problems: string[] } {
  const problems: string[] = [];
  const [hostText = "", portText] = args.operands;
  const parsed = parseHostPort(hostText);
  if (!parsed.ok && hostText !== "") problems.push(`<host> ${JSON.stringify(hostText)}: ${parsed.problem}`);
  let port = parsed.ok ? parsed.port : undefined;
  if (portText !== undefined) {
    const value = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(value >= 1 && value <= 65535)) problems.push(`[port] ${JSON.stringify(portText)}: expected a port number 1-65535`);
    else if (port !== undefined && port !== value) problems.push(`the port is given twice and differs: ${hostText} and ${portText}`);
    else port = value;
  }
  const timeoutText = lastValue(args, "timeout");
  const timeoutSeconds = timeoutText === undefined ? 10 : Number(timeoutText);
  if (!(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 && timeoutSeconds <= 300)) {
    problems.push(`--timeout ${JSON.stringify(timeoutText)}: expected seconds, more than 0 and at most 300`);
  }
  if (problems.length > 0 || !parsed.ok) return { problems };
  return { host: parsed.host, port: port ?? DEFAULT_VNS3_API_PORT, timeoutSeconds };
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const validate = (args: ParsedArgs) => {
    const target = fingerprintTarget(args);
    return "problems" in target ? target.problems : [];
  };
  return runCommand(
    FINGERPRINT_COMMAND,
    argv,
    io,
    async (args) => {
      const target = fingerprintTarget(args) as Exclude<ReturnType<typeof fingerprintTarget>, { problems: string[] }>;
      const json = args.switches.get("json") === true;
      try {
        const info = await inspectCertificate({ host: target.host, port: target.port, timeoutMs: target.timeoutSeconds * 1000 });
        const refusal = args.switches.get(ALLOW_ISSUED_FLAG) === true ? undefined : issuedCertificateRefusal(info);
        if (refusal !== undefined) {
          if (json) io.stdout.write(`${JSON.stringify({ error: { kind: "not_self_signed", message: refusal } })}\n`);
          io.stderr.write(`error: ${refusal}\n`);
          return EXIT.failed;
        }
        // JSON escapes control characters itself; the human report escapes what the certificate says.
        if (json) io.stdout.write(`${JSON.stringify({ ...info, tlsSha256: info.sha256 }, null, 2)}\n`);
        else io.stdout.write(`${formatCertificateReport(info).join("\n")}\n`);
        return EXIT.ok;
      } catch (error) {
        if (!(error instanceof InspectError)) throw error;
        if (json) io.stdout.write(`${JSON.stringify({ error: { kind: error.kind, message: error.message } })}\n`);
        io.stderr.write(`error: ${error.message}\n`);
        return EXIT.failed;
      }
    },
    { validate },
  );
}

if (require.main === module) runAsScript(main);
