/**
 * `npm run fingerprint -- <host> [port]`: prints the SHA-256 fingerprint of a controller's
 * certificate (and what else the certificate says) in the form `tlsSha256` takes.
 * Exit codes: 0 certificate read, 1 no certificate (refused, timeout, DNS, not TLS), 2 usage.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { runAsScript, type CliIo } from "./lib/io";
import { formatCertificateReport, inspectCertificate, InspectError } from "./lib/tls-inspect";

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new InvalidArgumentError("must be a port number 1-65535");
  return Number(value);
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) throw new InvalidArgumentError("must be seconds, more than 0 and at most 300");
  return seconds;
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name("npm run fingerprint --")
    .description("Print the SHA-256 fingerprint of a VNS3 controller's TLS certificate, to pin as tlsSha256. Sends no request.")
    .argument("<host>", "controller IP address or DNS name")
    .argument("[port]", "VNS3 API port", parsePort, 8000)
    .option("--timeout <seconds>", "connect and handshake timeout", parseSeconds, 10)
    .option("--json", "print one JSON object (also on failure: {\"error\":{\"kind\",\"message\"}})")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const [host, port] = program.processedArgs as [string, number];
  const opts = program.opts<{ timeout: number; json?: boolean }>();

  try {
    const info = await inspectCertificate({ host, port, timeoutMs: opts.timeout * 1000 });
    if (opts.json) io.stdout.write(`${JSON.stringify({ ...info, tlsSha256: info.sha256 }, null, 2)}\n`);
    else io.stdout.write(`${formatCertificateReport(info).join("\n")}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof InspectError)) throw error;
    if (opts.json) io.stdout.write(`${JSON.stringify({ error: { kind: error.kind, message: error.message } })}\n`);
    io.stderr.write(`error: ${error.message}\n`);
    return 1;
  }
}

if (require.main === module) runAsScript(main);
