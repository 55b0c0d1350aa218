/**
 * Test support for the CLIs: run a CLI as a child process (stdin a pipe, so not a TTY) or its
 * `main()` in-process with captured output, loopback servers that tests start and close, and
 * self-signed certificates generated on the spot.
 */
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { generate } from "selfsigned";
import type { CliIo } from "../../cli/shared/io";

export const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");

/** What a finished CLI run left behind. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for child processes: no AWS or Datadog settings of the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(AWS_|DD_|VNS3_|TF_VAR_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", AWS_EC2_METADATA_DISABLED: "true", ...extra };
}

/** Runs `tsx <script> ...args` from the repository root with stdin a pipe (closed unless `input`). */
export function runCli(script: string, args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, script, ...args], { cwd: ROOT, env: options.env ?? cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** An in-process CliIo whose output the test reads back. */
export function memoryIo(options: { env?: Record<string, string>; interactive?: boolean; cwd?: string } = {}): CliIo & { out(): string; err(): string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: options.env ?? {},
    cwd: options.cwd ?? ROOT,
    interactive: options.interactive ?? false,
    out: () => out,
    err: () => err,
  };
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = "vpn-monitor-cli-"): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A self-signed certificate, its key and its fingerprint as OpenSSL prints it (AA:BB:…). */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  readonly fingerprint256: string;
}

/**
 * Generates an EC certificate for localhost / 127.0.0.1 / ::1 (EC: fast), self-signed unless
 * `signedBy` names another certificate's key. Key usage is digitalSignature only, as a VNS3
 * controller's own certificate has it (no keyCertSign).
 */
export async function createCertificate(
  options: { commonName?: string; notBefore?: Date; notAfter?: Date; signedBy?: { key: string; cert: string } } = {},
): Promise<TestCertificate> {
  const pems = await generate([{ name: "commonName", value: options.commonName ?? "vns3-stand-in" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    ...(options.notBefore !== undefined ? { notBeforeDate: options.notBefore } : {}),
    ...(options.notAfter !== undefined ? { notAfterDate: options.notAfter } : {}),
    ...(options.signedBy !== undefined ? { ca: options.signedBy } : {}),
    extensions: [
      { name: "keyUsage", digitalSignature: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint256: new X509Certificate(pems.cert).fingerprint256 };
}

/** Listens on a loopback port (`127.0.0.1` unless `host` says `::1`); `close()` also destroys open connections. */
export async function listen<T extends net.Server>(server: T, host = "127.0.0.1"): Promise<{ server: T; port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const { port, close } = await listen(net.createServer());
  await close();
  return port;
}
