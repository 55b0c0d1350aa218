/**
 * Expiry signals end to end: the certificate the checker sees in its own TLS handshake with a
 * loopback VNS3 stand-in (answers as Cohesive's OpenAPI description, cohesive/cohesivenet-client-go
 * cohesivenet/api/openapi.yaml `getIpsecStatus`, has them; 401 with `{"error":{"message":…}}` as
 * the API answers a rejected credential) and the definition's `credentialExpires`.
 */
import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";
import type { ControllerConfig } from "../../handler/config";
import { buildCheckReport } from "../../handler/core";
import { Deadline } from "../../handler/deadline";
import { daysLeft, expirySeries } from "../../handler/expiry";
import { createVns3Reader, type Vns3Credentials } from "../../handler/vns3-client";
import { parseFingerprint } from "../../contract/fingerprint";
import { ipsecBody, startVns3, type TestCertificate } from "../helpers/stand-ins";

const TOKEN: Vns3Credentials = { kind: "token", apiToken: "tok-Secret-456" };
const DAY_S = 86_400;

/** A self-signed EC certificate for 127.0.0.1 valid until `notAfter`. */
async function certificateUntil(notAfter: Date, commonName: string): Promise<TestCertificate & { notAfterMs: number }> {
  const pems = await generate([{ name: "commonName", value: commonName }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(Date.now() - DAY_S * 1000),
    notAfterDate: notAfter,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  const x509 = new X509Certificate(pems.cert);
  return { key: pems.private, cert: pems.cert, fingerprint256: x509.fingerprint256, notAfterMs: Date.parse(x509.validTo) };
}

const ROUTES = {
  "/api/status/ipsec": { status: 200, body: ipsecBody({ "1": { description: "Payments primary", connected: true } }) },
  "/api/status/connected_subnets": { status: 200, body: { response: [{ network: "10.40.0.0/24", origin: "ipsec" }] } },
};

function controller(port: number, overrides: Partial<ControllerConfig>): ControllerConfig {
  return { name: "vns3-a", host: "127.0.0.1", port, credentials: { kind: "token", apiToken: "unused" }, ...overrides };
}

let fiveDays: Awaited<ReturnType<typeof certificateUntil>>;
let nextYear: Awaited<ReturnType<typeof certificateUntil>>;

beforeAll(async () => {
  fiveDays = await certificateUntil(new Date(Date.now() + 5 * DAY_S * 1000), "vns3-expiring");
  nextYear = await certificateUntil(new Date(Date.now() + 365 * DAY_S * 1000), "vns3-rotated");
});

const BASE = ["vpn_environment:production", "controller:vns3-a"];

describe("vpn.controller.cert_days_left from the checker's own handshake", () => {
  it("sends 5 for a pinned certificate that expires in 5 days, tagged like vpn.controller.up", async () => {
    const vns3 = await startVns3({ certificate: fiveDays, auth: { token: "tok-Secret-456" }, routes: ROUTES });
    const reader = createVns3Reader();
    try {
      const reading = await reader.read(controller(vns3.port, { tlsSha256: parseFingerprint(fiveDays.fingerprint256) }), TOKEN, Deadline.after(3000));
      expect(reading).toMatchObject({ up: true, expiry: { certificateNotAfterMs: fiveDays.notAfterMs } });

      const timestamp = fiveDays.notAfterMs / 1000 - 5 * DAY_S;
      const report = buildCheckReport({ environment: "production", readings: [reading], timestamp });
      expect(report.series.filter((s) => s.metric.endsWith("_days_left"))).toEqual([{ metric: "vpn.controller.cert_days_left", type: 3, points: [{ timestamp, value: 5 }], tags: BASE }]);
    } finally {
      reader.close?.();
      await vns3.close();
    }
  });

  it("still reports the certificate when the controller then answers 401", async () => {
    const vns3 = await startVns3({ certificate: fiveDays, auth: { token: "another-token" }, routes: ROUTES });
    const reader = createVns3Reader();
    try {
      const reading = await reader.read(controller(vns3.port, { tlsSha256: fiveDays.fingerprint256 }), TOKEN, Deadline.after(3000));
      expect(reading).toEqual({ controller: "vns3-a", up: false, reason: "auth", detail: "HTTP 401: credentials rejected", expiry: { certificateNotAfterMs: fiveDays.notAfterMs }, durationMs: expect.any(Number) });
    } finally {
      reader.close?.();
      await vns3.close();
    }
  });

  it("reports no certificate for a refused pin (what was presented is not the controller's)", async () => {
    const vns3 = await startVns3({ certificate: nextYear, auth: { token: "tok-Secret-456" }, routes: ROUTES });
    const reader = createVns3Reader();
    try {
      const reading = await reader.read(controller(vns3.port, { tlsSha256: fiveDays.fingerprint256 }), TOKEN, Deadline.after(3000));
      expect(reading).toEqual({
        controller: "vns3-a",
        up: false,
        reason: "tls_pin_mismatch",
        detail: `certificate SHA-256 ${nextYear.fingerprint256} does not match tlsSha256 ${fiveDays.fingerprint256}`,
        durationMs: expect.any(Number),
      });
    } finally {
      reader.close?.();
      await vns3.close();
    }
  });
});

describe("certificate rotation with tlsSha256Next", () => {
  it("keeps reading from the current pin to the next one, and shows the new certificate's days left", async () => {
    const pins = { tlsSha256: fiveDays.fingerprint256, tlsSha256Next: nextYear.fingerprint256 };
    const reader = createVns3Reader();
    const before = await startVns3({ certificate: fiveDays, auth: { token: "tok-Secret-456" }, routes: ROUTES });
    try {
      expect(await reader.read(controller(before.port, pins), TOKEN, Deadline.after(3000))).toMatchObject({ up: true, expiry: { certificateNotAfterMs: fiveDays.notAfterMs } });
    } finally {
      await before.close();
    }
    // The operator installs the new certificate on the controller.
    const after = await startVns3({ certificate: nextYear, auth: { token: "tok-Secret-456" }, routes: ROUTES });
    try {
      expect(await reader.read(controller(after.port, pins), TOKEN, Deadline.after(3000))).toMatchObject({ up: true, expiry: { certificateNotAfterMs: nextYear.notAfterMs } });
      // Without the next pin the same controller is refused: the rotation is what kept it readable.
      expect(await reader.read(controller(after.port, { tlsSha256: fiveDays.fingerprint256 }), TOKEN, Deadline.after(3000))).toMatchObject({
        up: false,
        reason: "tls_pin_mismatch",
      });
      // Finishing the rotation: the next pin becomes the pin.
      expect(await reader.read(controller(after.port, { tlsSha256: nextYear.fingerprint256 }), TOKEN, Deadline.after(3000))).toMatchObject({ up: true });
    } finally {
      reader.close?.();
      await after.close();
    }
  });
});

describe("vpn.controller.credential_days_left from credentialExpires", () => {
  it("counts to 00:00 UTC of the date, negative once past", async () => {
    const vns3 = await startVns3({ certificate: nextYear, auth: { token: "tok-Secret-456" }, routes: ROUTES });
    const reader = createVns3Reader();
    try {
      const reading = await reader.read(controller(vns3.port, { tlsSha256: nextYear.fingerprint256, credentialExpires: "2027-03-31" }), TOKEN, Deadline.after(3000));
      const timestamp = Date.UTC(2027, 2, 1, 12) / 1000; // 2027-03-01 12:00 UTC: 29.5 days before
      const report = buildCheckReport({ environment: "production", readings: [reading], timestamp });
      expect(report.series.find((s) => s.metric === "vpn.controller.credential_days_left")).toEqual({ metric: "vpn.controller.credential_days_left", type: 3, points: [{ timestamp, value: 29.5 }], tags: BASE });
    } finally {
      reader.close?.();
      await vns3.close();
    }
    expect(expirySeries({ credentialExpires: "2027-03-31" }, BASE, Date.UTC(2027, 3, 2) / 1000)[0]?.points[0]?.value).toBe(-2);
  });

  it("sends nothing when the expiry group is off", () => {
    const facts = { certificateNotAfterMs: Date.UTC(2027, 0, 1), credentialExpires: "2027-03-31" };
    expect(expirySeries(facts, BASE, Date.UTC(2026, 11, 2) / 1000, new Set(["traffic", "phase", "health"]))).toEqual([]);
    expect(expirySeries(facts, BASE, Date.UTC(2026, 11, 2) / 1000, new Set(["expiry"])).map((s) => [s.metric, s.points[0]?.value])).toEqual([
      ["vpn.controller.cert_days_left", 30],
      ["vpn.controller.credential_days_left", 119],
    ]);
  });

  it("rounds to hundredths of a day", () => {
    expect(daysLeft(Date.UTC(2027, 0, 2), Date.UTC(2027, 0, 1, 16))).toBe(0.33);
  });
});
