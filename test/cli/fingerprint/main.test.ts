import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { main } from "../../../cli/fingerprint/main";
import { inspectCertificate, InspectError } from "../../../cli/fingerprint/tls-inspect";
import { createCertificate, listen, memoryIo, runCli, unusedPort, type TestCertificate } from "../../helpers/cli-harness";

/** A TLS server that counts the application bytes clients send after the handshake. */
async function tlsServer(cert: TestCertificate) {
  const received: Buffer[] = [];
  const servernames: (string | false | null)[] = [];
  const state = { closed: 0 };
  const server = tls.createServer({ key: cert.key, cert: cert.cert }, (socket) => {
    servernames.push(socket.servername);
    socket.on("data", (d: Buffer) => received.push(d));
    socket.on("error", () => undefined);
    socket.on("close", () => (state.closed += 1));
  });
  const listening = await listen(server);
  return {
    ...listening,
    received,
    servernames,
    get closed() {
      return state.closed;
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("npm run fingerprint", () => {
  let cert: TestCertificate;
  beforeAll(async () => {
    cert = await createCertificate({ commonName: "vns3-lab" });
  });

  it("prints the certificate's SHA-256 in the tlsSha256 form and sends no request", async () => {
    // Prepare
    const srv = await tlsServer(cert);
    const io = memoryIo();
    try {
      // Act
      const code = await main(["127.0.0.1", String(srv.port)], io);
      await until(() => srv.closed > 0); // the client closed: anything it sent has arrived

      // Assess
      const expected = new X509Certificate(cert.cert).fingerprint256;
      expect(code).toBe(0);
      expect(expected).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(io.out()).toContain(`  SHA-256      ${expected}\n`);
      expect(io.out()).toContain(`    tlsSha256: "${expected}"\n`);
      expect(io.out()).toContain("  Subject      CN=vns3-lab\n");
      expect(io.out()).toContain("  Issuer       CN=vns3-lab\n");
      expect(io.out()).toContain("  Self-signed  yes (issued by itself, signature verified with its own key)\n");
      expect(io.out()).toContain("  SANs         DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1\n");
      expect(io.out()).not.toContain("WARNING");
      expect(Buffer.concat(srv.received).length).toBe(0);
      expect(srv.servernames).toEqual([false]); // no SNI for an IP address
    } finally {
      await srv.close();
    }
  });

  it("escapes what the certificate says before printing it: a controller cannot rewrite the screen", async () => {
    // Prepare: a subject with a screen-clearing sequence and a bidi override. (OpenSSL's own
    // subject text already writes C0 controls as \1B; the bidi override comes through as is.)
    const ESC = String.fromCharCode(27);
    const hostile = await createCertificate({ commonName: `vns3${ESC}[2J\u202eEVIL` });
    const srv = await tlsServer(hostile);
    const io = memoryIo();
    try {
      // Act
      const code = await main([`127.0.0.1:${srv.port}`], io);

      // Assess
      expect(code).toBe(0);
      expect(io.out()).toContain("  Subject      CN=vns3\\1B[2J\\u202eEVIL\n");
      expect(io.out()).toContain("  Issuer       CN=vns3\\1B[2J\\u202eEVIL\n");
      // Nothing but newlines below space, and no bidi control, reaches the terminal.
      expect([...io.out()].filter((c) => c !== "\n" && ((c.codePointAt(0) as number) < 0x20 || c === "\u202e"))).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it("sends SNI for a host name and prints JSON with --json", async () => {
    const srv = await tlsServer(cert);
    const io = memoryIo();
    try {
      const code = await main(["localhost", String(srv.port), "--json"], io);
      await until(() => srv.closed > 0);

      expect(code).toBe(0);
      const json = JSON.parse(io.out());
      expect(json).toMatchObject({
        host: "localhost",
        port: srv.port,
        servername: "localhost",
        sha256: cert.fingerprint256,
        tlsSha256: cert.fingerprint256,
        subject: "CN=vns3-lab",
        selfSigned: true,
        expired: false,
        notYetValid: false,
        subjectAltNames: ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"],
      });
      expect(srv.servernames).toEqual(["localhost"]);
      expect(Buffer.concat(srv.received).length).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it("warns about an expired certificate and still prints its fingerprint", async () => {
    const expired = await createCertificate({ notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    const srv = await tlsServer(expired);
    const io = memoryIo();
    try {
      const code = await main(["127.0.0.1", String(srv.port)], io);

      expect(code).toBe(0);
      expect(io.out()).toContain("  Not after    2021-01-01T00:00:00.000Z\n");
      expect(io.out()).toContain("WARNING: the certificate expired on 2021-01-01T00:00:00.000Z");
      expect(io.out()).toContain(expired.fingerprint256);
    } finally {
      await srv.close();
    }
  });

  it("exits non-zero with a clear message when the port refuses the connection (real process)", async () => {
    const port = await unusedPort();

    const run = await runCli("cli/fingerprint/main.ts", [`127.0.0.1:${port}`]);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: connection refused by 127.0.0.1:${port}: nothing listens on that port, or a firewall rejects the connection\n`);
    expect(run.stdout).toBe("");
  });

  it("times out on a port that accepts TCP but never completes a handshake", async () => {
    const silent = await listen(net.createServer(() => undefined));
    const io = memoryIo();
    try {
      const code = await main(["127.0.0.1", String(silent.port), "--timeout", "0.3", "--json"], io);

      expect(code).toBe(1);
      expect(JSON.parse(io.out())).toEqual({
        error: { kind: "timeout", message: expect.stringContaining(`no answer from 127.0.0.1:${silent.port} within 0.3 s (during TLS handshake)`) },
      });
    } finally {
      await silent.close();
    }
  });

  it("says when the port does not speak TLS", async () => {
    const plain = await listen(
      net.createServer((socket) => {
        socket.on("error", () => undefined);
        socket.once("data", () => socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"));
      }),
    );
    try {
      await expect(inspectCertificate({ host: "127.0.0.1", port: plain.port, timeoutMs: 2000 })).rejects.toMatchObject({
        kind: "not_tls",
        message: expect.stringContaining("did not complete a TLS handshake"),
      });
    } finally {
      await plain.close();
    }
  });

  it.each([
    [["127.0.0.1", "http"], 'error: [port] "http": expected a port number 1-65535\n'],
    [["127.0.0.1:99999"], 'error: <host> "127.0.0.1:99999": expected an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000)\n'],
    [["10.0.1.10:8000", "8443"], "error: the port is given twice and differs: 10.0.1.10:8000 and 8443\n"],
    [["fd00::10:8000x"], 'error: <host> "fd00::10:8000x": expected an IPv6 address in brackets when a port follows, e.g. [fd00::10]:8000\n'],
    [["[fd00::zz]:8000"], 'error: <host> "[fd00::zz]:8000": expected an IPv6 address inside [ ], got "fd00::zz"\n'],
    [["10.0.1.10", "--timeout", "0"], 'error: --timeout "0": expected seconds, more than 0 and at most 300\n'],
    [["10.0.1.10", "--jsn"], "error: unknown flag --jsn (did you mean --json?)\n"],
    [[], "error: missing <host>: the controller: an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000)\n"],
  ])("refuses %j before connecting, naming the argument and what it expects", async (argv, message) => {
    const io = memoryIo();

    const code = await main(argv, io);

    // Every one is a wrong command line: the usage code, never the unreadable-controller code (1).
    expect(code).toBe(2);
    expect(io.err()).toBe(`${message}Every flag: npm run fingerprint -- --help\n`);
    expect(io.out()).toBe("");
  });

  it("takes host:port in one argument (real process, as npm run fingerprint -- host:8000)", async () => {
    const srv = await tlsServer(cert);
    try {
      const run = await runCli("cli/fingerprint/main.ts", [`127.0.0.1:${srv.port}`]);

      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Certificate presented by 127.0.0.1:${srv.port} (TLSv1.3)\n`);
      expect(run.stdout).toContain(`  SHA-256      ${cert.fingerprint256}\n`);
    } finally {
      await srv.close();
    }
  });

  it("takes a bracketed IPv6 address with its port", async () => {
    const srv = await tlsServer(cert);
    const v6 = await listen(tls.createServer({ key: cert.key, cert: cert.cert }, (s) => s.on("error", () => undefined)), "::1").catch((error: Error) => error);
    await srv.close();
    if (v6 instanceof Error) {
      console.warn(`skipped: this machine has no IPv6 loopback (${v6.message})`);
      return;
    }
    const io = memoryIo();
    try {
      const code = await main([`[::1]:${v6.port}`], io);

      expect(io.err()).toBe("");
      expect(code).toBe(0);
      expect(io.out()).toContain(`Certificate presented by [::1]:${v6.port}`);
      expect(io.out()).toContain(`  SHA-256      ${cert.fingerprint256}\n`);
    } finally {
      await v6.close();
    }
  });

  it("calls a certificate self-signed only when its own key verifies its signature, and refuses to offer one that is not", async () => {
    // Same subject and issuer (CN=vns3-lab), but signed by another key: not self-signed.
    const signer = await createCertificate({ commonName: "vns3-lab" });
    const impostor = await createCertificate({ commonName: "vns3-lab", signedBy: { key: signer.key, cert: signer.cert } });
    const srv = await tlsServer(impostor);
    try {
      const refused = memoryIo();
      expect(await main(["127.0.0.1", String(srv.port)], refused)).toBe(1);
      expect(refused.out()).toBe("");
      expect(refused.err()).toContain('error: the certificate 127.0.0.1:' + srv.port + ' presented is not self-signed: it was issued by "CN=vns3-lab".');

      const allowed = memoryIo();
      expect(await main(["127.0.0.1", String(srv.port), "--allow-issued-certificate"], allowed)).toBe(0);
      expect(allowed.out()).toContain("  Subject      CN=vns3-lab\n  Issuer       CN=vns3-lab\n  Self-signed  no\n");
      expect(allowed.out()).toContain('WARNING: pinning a certificate issued by "CN=vns3-lab", not a self-signed one (--allow-issued-certificate)');
    } finally {
      await srv.close();
    }
  });

  it("refuses a TLS-inspecting proxy's certificate by default, naming its issuer escaped, in text and JSON", async () => {
    // What a host behind an inspecting proxy sees: a leaf for the controller's address, issued by the proxy's CA.
    const proxyCa = await createCertificate({ commonName: "Corp Inspection CA \u001b[2J" });
    const minted = await createCertificate({ commonName: "10.0.1.10", signedBy: { key: proxyCa.key, cert: proxyCa.cert } });
    const srv = await tlsServer(minted);
    try {
      const io = memoryIo();
      expect(await main(["127.0.0.1", String(srv.port)], io)).toBe(1);
      expect(io.err()).not.toContain("\u001b");
      // OpenSSL writes the control character as \1B in the name; terminalSafe would escape a raw one.
      expect(io.err()).toContain('issued by "CN=Corp Inspection CA \\1B[2J"');
      expect(io.err()).toContain("pass --allow-issued-certificate");
      expect(io.out()).not.toContain("tlsSha256");

      const json = memoryIo();
      expect(await main(["127.0.0.1", String(srv.port), "--json"], json)).toBe(1);
      expect(JSON.parse(json.out())).toEqual({ error: { kind: "not_self_signed", message: expect.stringContaining("is not self-signed") } });
    } finally {
      await srv.close();
    }
  });

  it("says how to pin the next certificate during a rotation", async () => {
    const srv = await tlsServer(cert);
    const io = memoryIo();
    try {
      expect(await main(["127.0.0.1", String(srv.port)], io)).toBe(0);
      expect(io.out()).toContain(`    tlsSha256Next: "${new X509Certificate(cert.cert).fingerprint256}"\n`);
      expect(io.out()).toContain("move that value to tlsSha256 and remove tlsSha256Next");
    } finally {
      await srv.close();
    }
  });

  it("reports failures as InspectError", async () => {
    const port = await unusedPort();
    await expect(inspectCertificate({ host: "127.0.0.1", port })).rejects.toBeInstanceOf(InspectError);
  });
});
