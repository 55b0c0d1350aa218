/**
 * Builds the Lambda bundle exactly as `npm run build` does (into a temp dir) and runs it in a
 * plain Node process against the stand-ins: proves the shipped artifact works, not just the sources.
 */
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type { Metafile } from "esbuild";
import { daysLeft } from "../../handler/expiry";
import { buildHandlerBundle } from "../../scripts/build-handler";
import { connectedSubnetsRoute, createCertificate, ipsecBody, startIntake, startVns3, type IntakeStandIn, type Vns3StandIn } from "../helpers/stand-ins";

const API_KEY = "FAKEddApiKeyForBundleTests000001";
const TOKEN = "tok-bundle-secret";

let outDir: string;
let entryFile: string;
let vns3: Vns3StandIn;
let intake: IntakeStandIn;
let fingerprint: string;
let notAfterMs: number;

beforeAll(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "checker-bundle-"));
  ({ outDir, entryFile } = buildHandlerBundle({ outDir: tmp }));
  const certificate = await createCertificate();
  fingerprint = certificate.fingerprint256;
  notAfterMs = Date.parse(new X509Certificate(certificate.cert).validTo);
  vns3 = await startVns3({
    certificate,
    auth: { token: TOKEN },
    routes: {
      "/api/status/ipsec": { status: 200, body: ipsecBody({ "1": { description: "Primary (DC 1)", connected: true, remote_subnet: "10.1.0.0/24" } }) },
      "/api/status/connected_subnets": connectedSubnetsRoute([{ network: "10.1.0.0", prefix: 24, origin: "ipsec" }]),
    },
  });
  intake = await startIntake();
});

afterAll(async () => {
  await vns3?.close();
  await intake?.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

/** Run the bundle's handler in a child Node process and return what it printed. */
function invokeBundle(env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number }> {
  const script = `
    const { handler } = require(${JSON.stringify(entryFile)});
    const end = Date.now() + 5000;
    handler({}, { getRemainingTimeInMillis: () => end - Date.now(), awsRequestId: "bundle-test" })
      .then((r) => process.stdout.write("RESULT " + JSON.stringify(r) + "\\n"), (e) => { process.stdout.write("ERROR " + e.message + "\\n"); process.exitCode = 1; });
  `;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--enable-source-maps", "-e", script], {
        // NODE_PATH stands in for the runtime's own node_modules, where nodejs22.x provides @aws-sdk/*.
        env: { PATH: process.env.PATH ?? "", NODE_PATH: path.resolve(__dirname, "../../node_modules"), AWS_REGION: "eu-west-1", ...env },
        timeout: 15_000,
      }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 });
    });
  });
}

describe("the built bundle", () => {
  it("is one CommonJS file with a linked source map and a metafile, keeping only @aws-sdk external", () => {
    expect(fs.readdirSync(outDir).sort()).toEqual(["index.js", "index.js.map", "meta.json"]);
    expect(fs.readFileSync(entryFile, "utf8").trimEnd().endsWith("//# sourceMappingURL=index.js.map")).toBe(true);
    const meta = JSON.parse(fs.readFileSync(path.join(outDir, "meta.json"), "utf8")) as Metafile;
    const externals = new Set(Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
    const nonBuiltin = [...externals].filter((p) => !p.startsWith("node:") && !builtinModules.includes(p));
    expect(nonBuiltin).toEqual(["@aws-sdk/client-secrets-manager"]);
    // Deep imports keep the Datadog client to the v2 metrics API: no v1 models, no other v2 APIs.
    const inputs = Object.keys(meta.inputs);
    expect(inputs.some((i) => i.includes("datadog-api-client-v1/"))).toBe(false);
    expect(inputs.filter((i) => i.includes("datadog-api-client-v2/apis/"))).toEqual([expect.stringMatching(/datadog-api-client-v2\/apis\/MetricsApi\.js$/)]);
    // The model pruning keeps the eight models submitMetrics reaches, out of ~3,000.
    const models = inputs.filter((i) => /datadog-api-client-v2\/models\/(?!ObjectSerializer)/.test(i)).map((i) => path.basename(i, ".js"));
    expect(models.sort()).toEqual([
      "APIErrorResponse",
      "IntakePayloadAccepted",
      "MetricMetadata",
      "MetricOrigin",
      "MetricPayload",
      "MetricPoint",
      "MetricResource",
      "MetricSeries",
    ]);
  });

  it("exports a handler that reads a controller and delivers to the intake", async () => {
    const startedMs = Date.now();
    const { stdout, code } = await invokeBundle({
      VPN_ENVIRONMENT: "bundle",
      VNS3_CONTROLLERS: JSON.stringify([{ name: "vns3-a", host: "127.0.0.1", port: vns3.port, tlsSha256: fingerprint, apiToken: TOKEN }]),
      DD_API_KEY: API_KEY,
      DD_API_URL: intake.url,
    });

    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    const result = JSON.parse(lines.find((l) => l.startsWith("RESULT "))?.slice(7) ?? "null") as unknown;
    expect(result).toEqual({
      environment: "bundle",
      controllersUp: 1,
      controllersDown: 0,
      tunnelsUp: 1,
      tunnelsDown: 0,
      tunnelsDisabled: 0,
      unmatchedSubnets: 0,
      subnets: [{ controller: "vns3-a", state: "read", unmatched: 0 }],
      datadog: { status: "accepted", requests: 1, attempts: 1 },
      durationMs: expect.any(Number),
    });
    const summary = JSON.parse(lines.find((l) => l.includes('"msg":"check complete"')) ?? "null") as Record<string, unknown>;
    expect(summary).toMatchObject({ level: "info", request_id: "bundle-test", vpn_environment: "bundle", controllers_up: 1, tunnels_up: 1 });
    expect(stdout).not.toContain(TOKEN);
    expect(stdout).not.toContain(API_KEY);

    expect(intake.series()).toHaveLength(1);
    expect(intake.series()[0]?.headers["dd-api-key"]).toBe(API_KEY);
    const sent = (intake.series()[0]?.body as { series: { metric: string; tags: string[]; points: { value: number }[] }[] }).series;
    // Days left on the stand-in's certificate, as seen by the check some time between start and now.
    const certDaysLeft = sent.find((s) => s.metric === "vpn.controller.cert_days_left")?.points[0]?.value ?? NaN;
    expect(certDaysLeft).toBeGreaterThanOrEqual(daysLeft(notAfterMs, Date.now() + 1000));
    expect(certDaysLeft).toBeLessThanOrEqual(daysLeft(notAfterMs, startedMs - 1000));
    expect(sent.map((s) => [s.metric, s.tags.join(","), s.metric === "vpn.controller.cert_days_left" ? "days" : s.points[0]?.value])).toEqual([
      ["vpn.controller.up", "vpn_environment:bundle,controller:vns3-a", 1],
      ["vpn.controller.cert_days_left", "vpn_environment:bundle,controller:vns3-a", "days"],
      ["vpn.tunnel.status", "vpn_environment:bundle,controller:vns3-a,tunnel:primary_dc_1,tunnel_id:1,endpoint:unnamed", 1],
      ["vpn.tunnel.phase1", "vpn_environment:bundle,controller:vns3-a,tunnel:primary_dc_1,tunnel_id:1,endpoint:unnamed", 1],
      ["vpn.tunnel.phase2", "vpn_environment:bundle,controller:vns3-a,tunnel:primary_dc_1,tunnel_id:1,endpoint:unnamed", 1],
      ["vpn.subnet.unmatched", "vpn_environment:bundle,controller:vns3-a", 0],
      ["vpn.checker.duration_ms", "vpn_environment:bundle", expect.any(Number)],
    ]);
    // Every signal group on (VPN_SIGNALS unset): /api/status/system is asked too (a 404 here: health unavailable, still up).
    expect(vns3.requests.map((r) => [r.path, r.headers["api-token"]]).sort()).toEqual([
      ["/api/status/connected_subnets?extended_output=true", TOKEN],
      ["/api/status/ipsec", TOKEN],
      ["/api/status/system", TOKEN],
    ]);
  });

  it("rejects with the configuration error when a variable is wrong", async () => {
    const { stdout, code } = await invokeBundle({ VPN_ENVIRONMENT: "bundle", VNS3_CONTROLLERS: "[]", DD_API_KEY: API_KEY });
    expect(code).toBe(1);
    expect(stdout).toContain("ERROR invalid checker configuration:\n  VNS3_CONTROLLERS: expected at least one controller");
  });
});
