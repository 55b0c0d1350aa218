import { spawn } from "node:child_process";
import * as https from "node:https";
import * as path from "node:path";
import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import type { ControllerConfig } from "../../handler/config";
import { Deadline } from "../../handler/deadline";
import { parseFingerprint } from "../../contract/fingerprint";
import { classifyReadError, createVns3Reader, FULL_HANDSHAKE_EVERY_MS, MAX_IDLE_MS, STREAM_PARSE_FROM_BYTES, Vns3ReadError, type Vns3Credentials } from "../../handler/vns3-client";
import { parseIpsecStatus } from "../../handler/vns3-responses";
import { runCheck } from "../../handler/check";
import type { CheckerConfig } from "../../handler/config";
import { createDatadogSink } from "../../handler/datadog-sink";
import { closedPort, createCertificate, ipsecBody, startIntake, startSilentListener, startTlsRecorder, startVns3, type TestCertificate, type Vns3Reply } from "../helpers/stand-ins";

const BASIC: Vns3Credentials = { kind: "basic", username: "api", password: "pw-Secret-123" };
const TOKEN: Vns3Credentials = { kind: "token", apiToken: "tok-Secret-456" };

let certificate: TestCertificate;
let pin: string;
/** The stand-in certificate's valid_to, Unix ms. */
let notAfterMs: number;

beforeAll(async () => {
  certificate = await createCertificate();
  pin = parseFingerprint(certificate.fingerprint256)!;
  notAfterMs = Date.parse(new X509Certificate(certificate.cert).validTo);
});

function controller(port: number, overrides: Partial<ControllerConfig> = {}): ControllerConfig {
  return { name: "vns3-a", host: "127.0.0.1", port, tlsSha256: pin, credentials: { kind: "secret", secretArn: "unused" }, ...overrides };
}

const IPSEC = ipsecBody({
  "1": { description: "Payments primary", connected: true, endpoint_name: "acme", remote_subnet: "10.40.0.0/24" },
  "2": { description: "", connected: false },
});
const SUBNETS = { response: [{ network: "10.40.0.0/24", origin: "ipsec" }] };

async function withVns3<T>(routes: Record<string, Vns3Reply>, auth: { basic: { username: string; password: string } } | { token: string }, run: (port: number, requests: import("../helpers/stand-ins").SeenRequest[]) => Promise<T>): Promise<T> {
  const vns3 = await startVns3({ certificate, auth, routes });
  try {
    return await run(vns3.port, vns3.requests);
  } finally {
    await vns3.close();
  }
}

const reader = createVns3Reader();

describe("VNS3 reader against an HTTPS stand-in", () => {
  it("reads tunnels and subnets over a pinned connection with basic auth", async () => {
    await withVns3({ "/api/status/ipsec": { status: 200, body: IPSEC }, "/api/status/connected_subnets": { status: 200, body: SUBNETS } }, { basic: { username: "api", password: "pw-Secret-123" } }, async (port, requests) => {
      const reading = await reader.read(controller(port), BASIC, Deadline.after(3000));

      expect(reading).toEqual({
        controller: "vns3-a",
        up: true,
        tunnels: [
          { id: "1", description: "Payments primary", connected: true, endpointName: "acme", remoteSubnet: "10.40.0.0/24" },
          { id: "2", description: "", connected: false },
        ],
        subnets: { ok: true, subnets: [{ network: "10.40.0.0/24", origin: "ipsec" }] },
        expiry: { certificateNotAfterMs: notAfterMs },
        durationMs: expect.any(Number),
      });
      expect(requests.map((r) => [r.method, r.path, r.headers.authorization, r.headers["api-token"]])).toEqual([
        ["GET", "/api/status/ipsec", `Basic ${Buffer.from("api:pw-Secret-123").toString("base64")}`, undefined],
        ["GET", "/api/status/connected_subnets?extended_output=true", `Basic ${Buffer.from("api:pw-Secret-123").toString("base64")}`, undefined],
      ]);
    });
  });

  it("sends an API token in the api-token header and no Authorization", async () => {
    await withVns3({ "/api/status/ipsec": { status: 200, body: IPSEC }, "/api/status/connected_subnets": { status: 200, body: SUBNETS } }, { token: "tok-Secret-456" }, async (port, requests) => {
      // Pin given as OpenSSL prints it (uppercase with colons) is accepted as well.
      const reading = await reader.read(controller(port, { tlsSha256: certificate.fingerprint256.replace(/:/g, "").toLowerCase() }), TOKEN, Deadline.after(3000));
      expect(reading.up).toBe(true);
      expect(requests[0]?.headers["api-token"]).toBe("tok-Secret-456");
      expect(requests[0]?.headers.authorization).toBeUndefined();
    });
  });

  it.each<[string, Vns3Reply, string, string]>([
    ["a 502 HTML page", { status: 502, body: "<html><body>Bad Gateway</body></html>", contentType: "text/html" }, "http_error", "HTTP 502"],
    ["malformed JSON", { status: 200, body: '{"response": {"1": ' }, "bad_response", "HTTP 200 body is not JSON (19 bytes)"],
    ["JSON of the wrong shape", { status: 200, body: { error: { message: "maintenance" } } }, "bad_response", "unexpected body at response: expected an object of tunnels keyed by id"],
    ["an HTML page with status 200", { status: 200, body: "<html>login</html>", contentType: "text/html" }, "bad_response", "HTTP 200 body is not JSON (18 bytes)"],
  ])("reports %s as down with reason %s", async (_label, reply, reason, detail) => {
    await withVns3({ "/api/status/ipsec": reply }, { token: "tok-Secret-456" }, async (port) => {
      const reading = await reader.read(controller(port), TOKEN, Deadline.after(3000));
      // An HTTP answer came over the pinned connection: its certificate is reported (days left).
      expect(reading).toEqual({ controller: "vns3-a", up: false, reason, detail, expiry: { certificateNotAfterMs: notAfterMs }, durationMs: expect.any(Number) });
    });
  });

  it("reports rejected credentials as auth", async () => {
    await withVns3({ "/api/status/ipsec": { status: 200, body: IPSEC } }, { token: "the-right-token" }, async (port, requests) => {
      const reading = await createVns3Reader().read(controller(port), TOKEN, Deadline.after(3000));
      expect(reading).toMatchObject({ up: false, reason: "auth", detail: "HTTP 401: credentials rejected" });
      // No second login attempt against a controller that refused the first.
      expect(requests).toHaveLength(1);
    });
  });

  it("reads tunnels and subnets together once a controller has accepted its credentials, and one at a time after a refusal", async () => {
    const freshReader = createVns3Reader();
    const routes = { "/api/status/ipsec": { status: 200, body: IPSEC }, "/api/status/connected_subnets": { status: 200, body: SUBNETS } };
    await withVns3(routes, { token: "tok-Secret-456" }, async (port, requests) => {
      expect(await freshReader.read(controller(port), TOKEN, Deadline.after(3000))).toMatchObject({ up: true });
      expect(requests.map((r) => r.path)).toEqual(["/api/status/ipsec", "/api/status/connected_subnets?extended_output=true"]);

      // Known good: both requests are in flight before either answer, so a refusal now costs two.
      const wrong: Vns3Credentials = { kind: "token", apiToken: "rotated-away" };
      expect(await freshReader.read(controller(port), wrong, Deadline.after(3000))).toMatchObject({ up: false, reason: "auth" });
      expect(requests.slice(2).map((r) => r.path).sort()).toEqual(["/api/status/connected_subnets?extended_output=true", "/api/status/ipsec"]);

      // After the refusal the controller is read tunnels first again: one failed login per check.
      expect(await freshReader.read(controller(port), wrong, Deadline.after(3000))).toMatchObject({ up: false, reason: "auth" });
      expect(requests.slice(4).map((r) => r.path)).toEqual(["/api/status/ipsec"]);
    });
  });

  it("keeps the tunnels when only the subnet read fails", async () => {
    await withVns3({ "/api/status/ipsec": { status: 200, body: IPSEC }, "/api/status/connected_subnets": { status: 500, body: { error: { message: "boom" } } } }, { token: "tok-Secret-456" }, async (port) => {
      const reading = await reader.read(controller(port), TOKEN, Deadline.after(3000));
      expect(reading).toMatchObject({ up: true, subnets: { ok: false, reason: "http_error", detail: "HTTP 500" } });
      expect(reading.up && reading.tunnels).toHaveLength(2);
    });
  });

  it("cuts off a controller that completes TLS but never answers the request", async () => {
    await withVns3({ "/api/status/ipsec": "hang" }, { token: "tok-Secret-456" }, async (port) => {
      const started = Date.now();
      const reading = await reader.read(controller(port), TOKEN, Deadline.after(400));
      expect(reading).toMatchObject({ up: false, reason: "timeout", detail: "no answer within the time budget (during response)" });
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });
});

describe("VNS3 reader failure modes below HTTP", () => {
  it("sends the request to a recorder whose certificate matches the pin (control for the next test)", async () => {
    const recorder = await startTlsRecorder(certificate);
    try {
      const reading = await reader.read(controller(recorder.port), BASIC, Deadline.after(300));
      expect(reading).toMatchObject({ up: false, reason: "timeout" });
      expect(recorder.received().toString("latin1")).toContain(`Authorization: Basic ${Buffer.from("api:pw-Secret-123").toString("base64")}`);
    } finally {
      await recorder.close();
    }
  });

  it("never writes a byte to a server whose certificate does not match the pin", async () => {
    const recorder = await startTlsRecorder(certificate);
    try {
      const wrongPin = "00".repeat(32);
      const reading = await reader.read(controller(recorder.port, { tlsSha256: wrongPin }), BASIC, Deadline.after(3000));

      expect(reading).toEqual({
        controller: "vns3-a",
        up: false,
        reason: "tls_pin_mismatch",
        detail: `certificate SHA-256 ${pin} does not match tlsSha256 ${wrongPin}`,
        durationMs: expect.any(Number),
      });
      await new Promise((r) => setTimeout(r, 100)); // let any stray bytes arrive before asserting none did
      expect(recorder.connections()).toBe(1);
      expect(recorder.received()).toHaveLength(0);
    } finally {
      await recorder.close();
    }
  });

  it("refuses a self-signed certificate when no pin is configured (CA verification stays on)", async () => {
    const recorder = await startTlsRecorder(certificate);
    try {
      const { tlsSha256: _omit, ...unpinned } = controller(recorder.port);
      const reading = await reader.read(unpinned, BASIC, Deadline.after(3000));
      expect(reading).toMatchObject({ up: false, reason: "tls_error", detail: "DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate" });
      expect(recorder.received()).toHaveLength(0);
    } finally {
      await recorder.close();
    }
  });

  it("trusts the certificate through an explicit CA when not pinned", async () => {
    await withVns3({ "/api/status/ipsec": { status: 200, body: IPSEC }, "/api/status/connected_subnets": { status: 200, body: SUBNETS } }, { token: "tok-Secret-456" }, async (port) => {
      const { tlsSha256: _omit, ...unpinned } = controller(port);
      const reading = await createVns3Reader({ ca: certificate.cert }).read(unpinned, TOKEN, Deadline.after(3000));
      expect(reading.up).toBe(true);
    });
  });

  it("cuts off a controller that accepts TCP and never starts TLS, and closes the socket", async () => {
    const silent = await startSilentListener();
    try {
      const reading = await reader.read(controller(silent.port), BASIC, Deadline.after(300));
      expect(reading).toMatchObject({ up: false, reason: "timeout", detail: "no answer within the time budget (during tls handshake)" });
      await new Promise((r) => setTimeout(r, 50));
      expect(silent.connections()).toBe(1);
      expect(silent.openConnections()).toBe(0);
    } finally {
      await silent.close();
    }
  });

  it("reports a closed port as refused", async () => {
    const port = await closedPort();
    const reading = await reader.read(controller(port), BASIC, Deadline.after(3000));
    expect(reading).toMatchObject({ up: false, reason: "refused", detail: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it("honours the per-request cap even with a long budget", async () => {
    const silent = await startSilentListener();
    try {
      const started = Date.now();
      const reading = await createVns3Reader({ requestTimeoutMs: 200 }).read(controller(silent.port), BASIC, Deadline.after(10_000));
      expect(reading).toMatchObject({ reason: "timeout" });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await silent.close();
    }
  });
});

describe("classifyReadError", () => {
  const withCode = (code: string, message = "boom"): Error => Object.assign(new Error(message), { code });

  it.each([
    [withCode("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.1:8000"), "refused", "connect ECONNREFUSED 10.0.0.1:8000"],
    [withCode("ENOTFOUND", "getaddrinfo ENOTFOUND vns3.invalid"), "dns", "getaddrinfo ENOTFOUND vns3.invalid"],
    [withCode("EAI_AGAIN"), "dns", "EAI_AGAIN: boom"],
    [withCode("ETIMEDOUT"), "timeout", "ETIMEDOUT: boom"],
    [withCode("ERR_TLS_CERT_ALTNAME_INVALID"), "tls_error", "ERR_TLS_CERT_ALTNAME_INVALID: boom"],
    [withCode("ERR_SSL_WRONG_VERSION_NUMBER"), "tls_error", "ERR_SSL_WRONG_VERSION_NUMBER: boom"],
    [withCode("CERT_HAS_EXPIRED"), "tls_error", "CERT_HAS_EXPIRED: boom"],
    [withCode("ECONNRESET"), "network", "ECONNRESET: boom"],
    [withCode("EHOSTUNREACH"), "network", "EHOSTUNREACH: boom"],
    [new Vns3ReadError("auth", "HTTP 403: credentials rejected"), "auth", "HTTP 403: credentials rejected"],
  ])("classifies %s", (error, reason, detail) => {
    expect(classifyReadError(error)).toEqual({ reason, detail });
  });
});

/**
 * A VNS3 API stand-in that shows its connections: which TLS connection carried each request, and
 * whether the handshake resumed a session. Answers follow Cohesive's OpenAPI description of VNS3
 * (cohesive/cohesivenet-client-go, cohesivenet/api/openapi.yaml): `getIpsecStatus` answers
 * `IpsecTunnelListResponseKeyValue` (tunnels keyed by id, with `tunnel_params`), and
 * `getConnectedSubnets` answers `[network, netmask]` pairs unless `extended_output=true` asks for
 * the verbose `ConnectedSubnet` objects.
 */
interface ConnectionStandIn {
  readonly port: number;
  /** Every request: its path and the number of the TLS connection that carried it (1-based). */
  readonly requests: { path: string; connection: number }[];
  /** One entry per TLS connection: whether its handshake resumed a session. */
  readonly handshakes: { resumed: boolean }[];
  /** From now on, a request on a connection opened before this call is cut without an answer (a controller that dropped its idle connections). */
  dropExistingConnections(): void;
  /** From now on, every request is cut without an answer. */
  cutEveryRequest(): void;
  /** Open connections, seen from the server. */
  openConnections(): number;
  close(): Promise<void>;
}

const OPENAPI_IPSEC = {
  response: {
    "1": {
      id: 1,
      local_subnet: "172.16.0.0/24",
      remote_subnet: "10.40.0.0/24",
      endpointid: 1,
      endpoint_id: 1,
      endpoint_name: "acme",
      active: true,
      enabled: true,
      description: "Payments primary",
      connected: true,
      tunnel_params: { phase1: "up", phase2: "up", ike_version: "IKEv2", bytes_in: "10", bytes_out: "20" },
    },
  },
};

interface ConnectionStandInOptions {
  /** Answer with `Connection: close` and close (a controller that keeps no idle connection). */
  readonly closeAfterEachAnswer?: boolean;
  /** TLS ticket keys (two servers with the same keys accept each other's tickets). */
  readonly ticketKeys?: Buffer;
  /** A `Keep-Alive` response header. */
  readonly keepAliveHeader?: string;
  /** The ipsec answer (a string is sent as it is). @default OPENAPI_IPSEC */
  readonly ipsec?: unknown;
  /** Send answers in 64 KiB chunks without a Content-Length. */
  readonly chunked?: boolean;
  /** The certificate presented. @default the suite's certificate */
  readonly certificate?: TestCertificate;
}

async function startConnectionStandIn(options: ConnectionStandInOptions = {}): Promise<ConnectionStandIn> {
  const requests: { path: string; connection: number }[] = [];
  const handshakes: { resumed: boolean }[] = [];
  const connectionNumber = new WeakMap<object, number>();
  const open = new Set<TLSSocket>();
  let droppedBefore = 0;
  const presented = options.certificate ?? certificate;
  const server = https.createServer({ key: presented.key, cert: presented.cert, ...(options.ticketKeys ? { ticketKeys: options.ticketKeys } : {}) }, (req, res) => {
    const connection = connectionNumber.get(req.socket) ?? 0;
    requests.push({ path: req.url ?? "", connection });
    if (connection <= droppedBefore) {
      req.socket.destroy();
      return;
    }
    const [path, query = ""] = (req.url ?? "").split("?");
    const verbose = new URLSearchParams(query).get("extended_output") === "true";
    const body =
      path === "/api/status/ipsec"
        ? (options.ipsec ?? OPENAPI_IPSEC)
        : path === "/api/status/connected_subnets"
          ? { response: verbose ? [{ subnet: "10.40.0.0/24", network: "10.40.0.0", cidr_mask: "24", netmask: "255.255.255.0", managerid: 1, origin: "ipsec" }] : [["10.40.0.0", "255.255.255.0"]] }
          : undefined;
    const headers: Record<string, string> = { "content-type": "application/json", ...(options.closeAfterEachAnswer ? { connection: "close" } : {}), ...(options.keepAliveHeader ? { "keep-alive": options.keepAliveHeader } : {}) };
    const text = Buffer.from(typeof body === "string" ? body : JSON.stringify(body ?? { error: { message: "Not found" } }));
    if (!options.chunked) {
      res.writeHead(body === undefined ? 404 : 200, headers).end(text);
      return;
    }
    res.writeHead(body === undefined ? 404 : 200, headers);
    for (let offset = 0; offset < text.length; offset += 65_536) res.write(text.subarray(offset, offset + 65_536));
    res.end();
  });
  // Longer than MAX_IDLE_MS (Node announces it as `Keep-Alive: timeout=600`): only the client, or
  // dropExistingConnections(), ends a connection.
  server.keepAliveTimeout = 600_000;
  server.on("secureConnection", (socket: TLSSocket) => {
    handshakes.push({ resumed: socket.isSessionReused() });
    connectionNumber.set(socket, handshakes.length);
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    handshakes,
    dropExistingConnections: () => (droppedBefore = handshakes.length),
    cutEveryRequest: () => (droppedBefore = Infinity),
    openConnections: () => open.size,
    close: async () => {
      for (const socket of open) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function withConnectionStandIn<T>(options: ConnectionStandInOptions, run: (standIn: ConnectionStandIn) => Promise<T>): Promise<T> {
  const standIn = await startConnectionStandIn(options);
  try {
    return await run(standIn);
  } finally {
    await standIn.close();
  }
}

const IPSEC_PATH = "/api/status/ipsec";
const SUBNETS_PATH = "/api/status/connected_subnets?extended_output=true";

describe("VNS3 reader connection reuse", () => {
  it("keeps a controller's pinned connections across checks: one on the first check, a second on the next, none after", async () => {
    await withConnectionStandIn({}, async (standIn) => {
      const keeping = createVns3Reader();
      try {
        for (let check = 0; check < 4; check += 1) {
          expect(await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000))).toMatchObject({ up: true, subnets: { ok: true } });
        }
        // Check 1: tunnels, then subnets over the same connection (not known good yet: one login attempt).
        expect(standIn.requests.slice(0, 2)).toEqual([
          { path: IPSEC_PATH, connection: 1 },
          { path: SUBNETS_PATH, connection: 1 },
        ]);
        // Check 2: both reads at once, one on the kept connection and one on a new one; then only those two.
        expect(standIn.handshakes).toHaveLength(2);
        expect(standIn.requests).toHaveLength(8);
        expect(new Set(standIn.requests.slice(4).map((r) => r.connection))).toEqual(new Set([1, 2]));
      } finally {
        keeping.close?.();
      }
    });
  });

  it("replaces a kept connection that the controller closed with one fresh pinned connection, and reports no fault", async () => {
    await withConnectionStandIn({}, async (standIn) => {
      const keeping = createVns3Reader();
      try {
        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));
        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));
        expect(standIn.handshakes).toHaveLength(2);
        standIn.dropExistingConnections();

        const reading = await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));

        expect(reading).toMatchObject({ up: true, subnets: { ok: true } });
        const third = standIn.requests.slice(4);
        // Each GET was cut once on a kept connection (1 or 2) and answered once on a new one (3 or 4).
        expect(third.filter((r) => r.connection <= 2).map((r) => r.path).sort()).toEqual([SUBNETS_PATH, IPSEC_PATH].sort());
        expect(third.filter((r) => r.connection > 2).map((r) => r.path).sort()).toEqual([SUBNETS_PATH, IPSEC_PATH].sort());
        expect(standIn.handshakes).toHaveLength(4);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("retries a cut request only once: a controller that cuts every request is down with reason network", async () => {
    await withConnectionStandIn({}, async (standIn) => {
      const keeping = createVns3Reader();
      try {
        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));
        const before = standIn.requests.length;
        standIn.cutEveryRequest();

        const reading = await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));

        expect(reading).toMatchObject({ up: false, reason: "network", detail: "ECONNRESET: socket hang up" });
        // Known good, so both GETs went out at once: the one on the kept connection was cut and sent
        // once more on a fresh connection (cut again: reported), the one on a new connection was not repeated.
        const attempts = standIn.requests.slice(before);
        expect(attempts).toHaveLength(3);
        expect([IPSEC_PATH, SUBNETS_PATH].map((path) => attempts.filter((r) => r.path === path).length).sort()).toEqual([1, 2]);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("never lets a kept connection skip the pin: after a pin change the controller gets a handshake and not one byte", async () => {
    await withConnectionStandIn({}, async (standIn) => {
      const keeping = createVns3Reader();
      try {
        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));
        const wrongPin = "00".repeat(32);

        const reading = await keeping.read(controller(standIn.port, { tlsSha256: wrongPin }), BASIC, Deadline.after(3000));

        expect(reading).toMatchObject({ up: false, reason: "tls_pin_mismatch" });
        // The client gave up inside the handshake: the server never saw it complete, let alone a request.
        expect(standIn.handshakes).toHaveLength(1);
        expect(standIn.requests).toHaveLength(2);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("retires a connection idle for longer than MAX_IDLE_MS (wall clock: a frozen Lambda runs no timers)", async () => {
    await withConnectionStandIn({}, async (standIn) => {
      let now = 1_000_000;
      const keeping = createVns3Reader({ clock: { now: () => now } });
      try {
        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));
        now += MAX_IDLE_MS - 1;
        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));
        expect(standIn.handshakes).toHaveLength(2);
        now += MAX_IDLE_MS;

        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));

        expect(standIn.handshakes).toHaveLength(4);
        expect(standIn.requests.slice(4).every((r) => r.connection > 2)).toBe(true);
        await new Promise((r) => setTimeout(r, 50));
        expect(standIn.openConnections()).toBe(2);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("retires a connection before the Keep-Alive timeout the controller announced", async () => {
    await withConnectionStandIn({ keepAliveHeader: "timeout=5" }, async (standIn) => {
      let now = 1_000_000;
      const keeping = createVns3Reader({ clock: { now: () => now } });
      try {
        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));
        now += 4_000;

        await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000));

        expect(standIn.requests.slice(2).every((r) => r.connection > 1)).toBe(true);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("resumes TLS sessions of pinned connections with a controller that closes every connection", async () => {
    await withConnectionStandIn({ closeAfterEachAnswer: true }, async (standIn) => {
      const keeping = createVns3Reader();
      try {
        for (let check = 0; check < 3; check += 1) {
          expect(await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000))).toMatchObject({ up: true, subnets: { ok: true } });
        }
        expect(standIn.handshakes).toHaveLength(6);
        expect(standIn.handshakes[0]).toEqual({ resumed: false });
        expect(standIn.handshakes.slice(1).filter((h) => h.resumed).length).toBeGreaterThanOrEqual(4);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("keeps TLS sessions per controller: a second controller that would accept the first one's ticket gets a full, pinned handshake", async () => {
    const ticketKeys = Buffer.alloc(48, 7);
    await withConnectionStandIn({ closeAfterEachAnswer: true, ticketKeys }, async (first) => {
      await withConnectionStandIn({ closeAfterEachAnswer: true, ticketKeys }, async (second) => {
        const keeping = createVns3Reader();
        try {
          await keeping.read(controller(first.port), BASIC, Deadline.after(3000));
          expect(first.handshakes[1]).toEqual({ resumed: true }); // the shared ticket key works

          await keeping.read(controller(second.port, { name: "vns3-b" }), BASIC, Deadline.after(3000));

          expect(second.handshakes[0]).toEqual({ resumed: false });
        } finally {
          keeping.close?.();
        }
      });
    });
  });

  /** A TCP forwarder on one port whose backend can be switched: one controller address, two servers behind it. */
  async function startSwitch(backendPort: number): Promise<{ port: number; switchTo(port: number): void; close(): Promise<void> }> {
    let backend = backendPort;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect(backend, "127.0.0.1");
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return {
      port: (server.address() as AddressInfo).port,
      switchTo: (port) => (backend = port),
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it("never keeps a ticket from a resumed handshake: a server with the controller's ticket keys but another certificate is refused at the forced full handshake", async () => {
    // Node's tls.createServer `ticketKeys` option: two servers with the same keys resume each other's sessions.
    const ticketKeys = Buffer.alloc(48, 9);
    const impostorCertificate = await createCertificate();
    let now = 1_000_000;
    const keeping = createVns3Reader({ clock: { now: () => now } });
    await withConnectionStandIn({ closeAfterEachAnswer: true, ticketKeys }, async (genuine) => {
      await withConnectionStandIn({ closeAfterEachAnswer: true, ticketKeys, certificate: impostorCertificate }, async (impostor) => {
        const front = await startSwitch(genuine.port);
        try {
          expect(await keeping.read(controller(front.port), BASIC, Deadline.after(3000))).toMatchObject({ up: true });
          expect(genuine.handshakes[0]).toEqual({ resumed: false });

          front.switchTo(impostor.port);
          const minutes: unknown[] = [];
          for (const minute of [1, 2, 3]) {
            now = 1_000_000 + minute * 60_000;
            minutes.push((await keeping.read(controller(front.port), BASIC, Deadline.after(3000))).up);
          }
          // Within the window the genuine session is resumed (whoever holds the ticket keys can);
          // the impostor's own tickets were never kept, so the window is not renewed by them.
          expect(minutes).toEqual([true, true, true]);
          expect(impostor.handshakes.every((h) => h.resumed)).toBe(true);
          const requestsBefore = impostor.requests.length;

          now = 1_000_000 + FULL_HANDSHAKE_EVERY_MS;
          const refused = await keeping.read(controller(front.port), BASIC, Deadline.after(3000));

          // The impostor's fingerprint in the refusal: a full handshake (a resumed one shows no certificate).
          expect(refused).toMatchObject({ up: false, reason: "tls_pin_mismatch", detail: `certificate SHA-256 ${impostorCertificate.fingerprint256} does not match tlsSha256 ${pin}` });
          expect(impostor.requests).toHaveLength(requestsBefore);
        } finally {
          keeping.close?.();
          await front.close();
        }
      });
    });
  });

  it("does a full handshake at least every FULL_HANDSHAKE_EVERY_MS, however often it resumes", async () => {
    let now = 5_000_000;
    const keeping = createVns3Reader({ clock: { now: () => now } });
    await withConnectionStandIn({ closeAfterEachAnswer: true }, async (standIn) => {
      try {
        const fullAt: number[] = [];
        for (let step = 0; step <= 6; step += 1) {
          now = 5_000_000 + step * 60_000;
          const before = standIn.handshakes.length;
          expect(await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000))).toMatchObject({ up: true });
          if (standIn.handshakes.slice(before).some((h) => !h.resumed)) fullAt.push(step);
        }
        // Minute 0, then minute 4 (240 s after the full one), never renewed by the resumed ones between.
        expect(fullAt).toEqual([0, 4]);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("retires a kept connection in use every minute once its full handshake is FULL_HANDSHAKE_EVERY_MS old, so a rotated certificate is seen", async () => {
    let now = 9_000_000;
    const keeping = createVns3Reader({ clock: { now: () => now } });
    await withConnectionStandIn({}, async (standIn) => {
      try {
        const handshakesAt: number[] = [];
        for (let minute = 0; minute <= 5; minute += 1) {
          now = 9_000_000 + minute * 60_000;
          expect(await keeping.read(controller(standIn.port), BASIC, Deadline.after(3000))).toMatchObject({ up: true });
          handshakesAt.push(standIn.handshakes.length);
        }
        // Minute 0: one connection; minute 1: the second kept one; then reuse (never idle 150 s) until
        // minute 4, when both are retired and two new connections make full handshakes (no session offered).
        expect(handshakesAt).toEqual([1, 2, 2, 2, 4, 4]);
        expect(standIn.handshakes.slice(2)).toEqual([{ resumed: false }, { resumed: false }]);
      } finally {
        keeping.close?.();
      }
    });
  });

  it("does not keep the process alive with idle connections", () => {
    // A child process reads a controller served by this one and must exit on its own.
    return withConnectionStandIn({}, async (standIn) => {
      const script = [
        'const { createVns3Reader } = require("./handler/vns3-client");',
        'const { Deadline } = require("./handler/deadline");',
        `createVns3Reader().read({ name: "vns3-a", host: "127.0.0.1", port: ${standIn.port}, tlsSha256: "${pin}", credentials: { kind: "secret", secretArn: "unused" } }, { kind: "basic", username: "api", password: "pw" }, Deadline.after(5000))`,
        '  .then((r) => process.stdout.write(String(r.up)));',
      ].join("\n");
      const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: path.resolve(__dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      const exit = await new Promise<number | string>((resolve) => {
        const timer = setTimeout(() => {
          child.kill();
          resolve("still running after 15 s");
        }, 15_000);
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve(code ?? -1);
        });
      });
      expect({ exit, out }).toEqual({ exit: 0, out: "true" });
      // It held a kept connection open until it exited.
      expect(standIn.handshakes).toHaveLength(1);
    });
  }, 20_000);
});

describe("VNS3 reader body limits", () => {
  const bigIpsec = (tunnels: number) => ipsecBody(Object.fromEntries(Array.from({ length: tunnels }, (_, i) => [String(i + 1), { description: `Tunnel ${i + 1} ${"x".repeat(200)}`, connected: true }])));

  it.each([
    ["with a Content-Length", false],
    ["streamed without a length", true],
  ])("reports a body over the cap %s as bad_response, for that controller only", async (_label, chunked) => {
    await withConnectionStandIn({ ipsec: bigIpsec(6000), chunked }, async (standIn) => {
      const reading = await createVns3Reader({ maxBodyBytes: 1024 * 1024 }).read(controller(standIn.port), TOKEN, Deadline.after(3000));
      expect(reading).toEqual({ controller: "vns3-a", up: false, reason: "bad_response", detail: "body larger than 1048576 bytes", expiry: { certificateNotAfterMs: notAfterMs }, durationMs: expect.any(Number) });
    });
  });

  /**
   * Tunnels as Cohesive's OpenAPI description has them (`IpsecTunnelListResponseKeyValue`: keyed
   * by id, every `IpsecTunnelDetail` field and a full `tunnel_params`), with descriptions in
   * several scripts so that multi-byte characters fall across the 64 KiB chunk boundaries.
   */
  const openApiTunnels = (count: number) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        String(i + 1),
        {
          id: i + 1,
          local_subnet: "172.16.0.0/24",
          remote_subnet: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
          endpointid: (i % 40) + 1,
          endpoint_id: (i % 40) + 1,
          endpoint_name: `partner-${i % 40}`,
          active: i % 97 !== 0,
          enabled: true,
          bounce: false,
          ping_ipaddress: "",
          ping_interval: 5,
          ping_interface: "eth0",
          description: i % 3 === 0 ? `Zürich Börse ${i} — 東京 🚀 ${"ü".repeat(150)}` : `Partner "${i}" \\ link ${"x".repeat(300)}`,
          connected: i % 7 !== 0,
          tunnel_params: { phase1: "up", phase2: i % 7 !== 0 ? "up" : "down", ike_version: "IKEv2", nat_t: "no", dpd: "yes", esp_time_remaining: "2890s", isakmp_time_remaining: "24790s", bytes_in: String(i * 1000), bytes_out: String(i * 2000) },
        },
      ]),
    );

  it.each([
    ["with a Content-Length", false],
    ["streamed without a length", true],
  ])("parses an answer over the streaming threshold entry by entry, %s, exactly as a small one", async (_label, chunked) => {
    const body = { response: openApiTunnels(4000) };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(STREAM_PARSE_FROM_BYTES);
    await withConnectionStandIn({ ipsec: body, chunked }, async (standIn) => {
      const reading = await createVns3Reader({ tunnelDetails: true }).read(controller(standIn.port), TOKEN, Deadline.after(5000));

      expect(reading.up && reading.tunnels).toEqual(parseIpsecStatus(body, { details: true }));
      expect(reading.up && reading.tunnels.length).toBe(4000);
      expect(reading.up && reading.tunnels[4]).toEqual({ id: "5", description: `Partner "4" \\ link ${"x".repeat(300)}`, connected: true, endpointName: "partner-4", endpointId: "5", remoteSubnet: "10.0.4.0/24", phase1: "up", phase2: "up" });
      expect(reading.up && reading.tunnels[0]).toMatchObject({ id: "1", enabled: false, description: `Zürich Börse 0 — 東京 🚀 ${"ü".repeat(150)}` });
    });
  });

  it.each([
    ["cut off mid-entry", (text: string) => text.slice(0, text.length - 5000), "bad_response", /^HTTP 200 body is not JSON \(\d+ bytes\)$/],
    ["followed by a second document", (text: string) => `${text}{"response":{}}`, "bad_response", /^HTTP 200 body is not JSON \(\d+ bytes\)$/],
    ["an HTML page", (text: string) => `<html>${"x".repeat(text.length)}</html>`, "bad_response", /^HTTP 200 body is not JSON \(\d+ bytes\)$/],
    ["tunnels in an array", (text: string) => text.replace(/^\{"response":\{/, '{"response":[').replace(/\}\}$/, "]}").replace(/"\d+":\{"id"/g, '{"id"'), "bad_response", /^unexpected body at response: expected an object of tunnels keyed by id$/],
    ["a tunnel without connected", (text: string) => text.replace('"connected":true,', ""), "bad_response", /^unexpected body at response\.2\.connected: Invalid input/],
    ["no response at all", (text: string) => `{"error":{"message":"${"x".repeat(text.length)}"}}`, "bad_response", /^unexpected body at response: expected an object of tunnels keyed by id$/],
  ])("reports a large answer %s as bad_response", async (_label, spoil, reason, detail) => {
    const text = spoil(JSON.stringify({ response: openApiTunnels(4000) }));
    await withConnectionStandIn({ ipsec: text, chunked: true }, async (standIn) => {
      const reading = await createVns3Reader().read(controller(standIn.port), TOKEN, Deadline.after(5000));
      expect(reading).toEqual({ controller: "vns3-a", up: false, reason, detail: expect.stringMatching(detail), expiry: { certificateNotAfterMs: notAfterMs }, durationMs: expect.any(Number) });
    });
  });

  it("refuses an answer nested 150,000 deep at once, and the healthy controller beside it still gets its series sent", async () => {
    // ~1.1 MB: over the streaming threshold, so the streaming parser would have read it (quadratic in depth).
    const depth = 150_000;
    const hostile = `{"pad":"${"x".repeat(800_000)}","deep":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    expect(Buffer.byteLength(hostile)).toBeGreaterThan(STREAM_PARSE_FROM_BYTES);
    const intake = await startIntake();
    try {
      await withConnectionStandIn({ ipsec: hostile, chunked: true }, async (bad) => {
        await withConnectionStandIn({}, async (healthy) => {
          const config: CheckerConfig = {
            environment: "production",
            controllers: [controller(bad.port, { name: "vns3-hostile" }), controller(healthy.port, { name: "vns3-healthy" })],
            datadog: { site: "datadoghq.com", apiUrl: intake.url, apiKey: { kind: "inline", apiKey: "dd-key" } },
          };
          const reader = createVns3Reader();
          try {
            const result = await runCheck(config, { reader, credentials: { resolve: async () => TOKEN }, sink: createDatadogSink({ apiKey: "dd-key", apiUrl: intake.url }) }, Deadline.after(20_000));
            expect(result.readings[0]).toMatchObject({ up: false, reason: "bad_response", detail: "unexpected body: nested deeper than 64 levels" });
          } finally {
            reader.close?.();
          }
        });
      });
      const sent = intake.series().flatMap((r) => (r.body as { series: { metric: string; points: { value: number }[]; tags: string[] }[] }).series);
      const up = sent.filter((s) => s.metric === "vpn.controller.up").map((s) => [s.tags.find((t) => t.startsWith("controller:")), s.points[0]?.value]);
      expect(up).toEqual([
        ["controller:vns3-hostile", 0],
        ["controller:vns3-healthy", 1],
      ]);
      expect(sent.filter((s) => s.metric === "vpn.tunnel.status" && s.tags.includes("controller:vns3-healthy")).map((s) => s.points[0]?.value)).toEqual([1]);
    } finally {
      await intake.close();
    }
  });

  it("keeps tunnel_params phases only when tunnel details are asked for", async () => {
    await withVns3({ "/api/status/ipsec": { status: 200, body: IPSEC }, "/api/status/connected_subnets": { status: 200, body: SUBNETS } }, { token: "tok-Secret-456" }, async (port) => {
      const detailed = await createVns3Reader({ tunnelDetails: true }).read(controller(port), TOKEN, Deadline.after(3000));
      const plain = await createVns3Reader().read(controller(port), TOKEN, Deadline.after(3000));
      expect(detailed.up && detailed.tunnels[0]).toMatchObject({ id: "1", phase1: "up", phase2: "up" });
      expect(plain.up && plain.tunnels[0]).not.toHaveProperty("phase1");
    });
  });
});
