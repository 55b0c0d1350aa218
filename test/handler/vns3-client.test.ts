import type { ControllerConfig } from "../../handler/config";
import { Deadline } from "../../handler/deadline";
import { parseFingerprint } from "../../contract/fingerprint";
import { classifyReadError, createVns3Reader, Vns3ReadError, type Vns3Credentials } from "../../handler/vns3-client";
import { closedPort, createCertificate, ipsecBody, startSilentListener, startTlsRecorder, startVns3, type TestCertificate, type Vns3Reply } from "./support/stand-ins";

const BASIC: Vns3Credentials = { kind: "basic", username: "api", password: "pw-Secret-123" };
const TOKEN: Vns3Credentials = { kind: "token", apiToken: "tok-Secret-456" };

let certificate: TestCertificate;
let pin: string;

beforeAll(async () => {
  certificate = await createCertificate();
  pin = parseFingerprint(certificate.fingerprint256)!;
});

function controller(port: number, overrides: Partial<ControllerConfig> = {}): ControllerConfig {
  return { name: "vns3-a", host: "127.0.0.1", port, tlsSha256: pin, credentials: { kind: "secret", secretArn: "unused" }, ...overrides };
}

const IPSEC = ipsecBody({
  "1": { description: "Payments primary", connected: true, endpoint_name: "acme", remote_subnet: "10.40.0.0/24" },
  "2": { description: "", connected: false },
});
const SUBNETS = { response: [{ network: "10.40.0.0/24", origin: "ipsec" }] };

async function withVns3<T>(routes: Record<string, Vns3Reply>, auth: { basic: { username: string; password: string } } | { token: string }, run: (port: number, requests: import("./support/stand-ins").SeenRequest[]) => Promise<T>): Promise<T> {
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
    ["JSON of the wrong shape", { status: 200, body: { error: { message: "maintenance" } } }, "bad_response", "unexpected body at response: Invalid input: expected record, received undefined"],
    ["an HTML page with status 200", { status: 200, body: "<html>login</html>", contentType: "text/html" }, "bad_response", "HTTP 200 body is not JSON (18 bytes)"],
  ])("reports %s as down with reason %s", async (_label, reply, reason, detail) => {
    await withVns3({ "/api/status/ipsec": reply }, { token: "tok-Secret-456" }, async (port) => {
      const reading = await reader.read(controller(port), TOKEN, Deadline.after(3000));
      expect(reading).toEqual({ controller: "vns3-a", up: false, reason, detail, durationMs: expect.any(Number) });
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
