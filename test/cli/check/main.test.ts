/**
 * `npm run check` against loopback stand-ins: a VNS3 API over HTTPS with a self-signed
 * certificate generated here (pinned in the environment file), and a Datadog intake.
 *
 * The VNS3 stand-in answers as Cohesive's OpenAPI description of the API says
 * (cohesive/cohesivenet-client-go, cohesivenet/api/openapi.yaml): GET /api/status/ipsec keyed by
 * tunnel id with `tunnel_params`; GET /api/status/connected_subnets (operation
 * getConnectedSubnets) as `[network, netmask]` pairs by default and as verbose
 * `ConnectedSubnet` objects only with `extended_output=true`. The intake answers as Datadog's API
 * reference for POST /api/v2/series (202 `{"errors":[]}`) and POST /api/v1/events (202).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { main } from "../../../cli/check/main";
import { cleanEnv, createCertificate, listen, memoryIo, runCli, tempDir, type TestCertificate } from "../../helpers/cli-harness";

const PASSWORD = "pw-Secret-123";
const TOKEN = "tok-Secret-456";
const API_KEY = "ddapikey0123456789abcdef";

const IPSEC = {
  response: {
    "7": {
      local_subnet: "172.16.0.0/24",
      remote_subnet: "10.41.0.0/24",
      endpointid: 2,
      endpoint_name: "acme-payments",
      active: true,
      description: "Payments (Backup) Zürich",
      connected: false,
      tunnel_params: { phase1: "up", phase2: "down", bytes_in: "0", bytes_out: "0", ike_version: "IKEv2" },
    },
    "4": {
      local_subnet: "172.16.0.0/24",
      remote_subnet: "10.40.0.0/24",
      endpointid: 2,
      endpoint_name: "acme-payments",
      active: true,
      description: "Payments primary",
      connected: true,
      tunnel_params: { phase1: "up", phase2: "up", bytes_in: "1024", bytes_out: "2048", ike_version: "IKEv2" },
    },
  },
};
/** Verbose answer (extended_output=true): `ConnectedSubnet` objects, network as address only. */
const SUBNETS = {
  response: [
    { subnet: "10.40.0.0/24", network: "10.40.0.0", cidr_mask: "24", netmask: "255.255.255.0", managerid: 1, origin: "ipsec" },
    { subnet: "10.41.0.0/24", network: "10.41.0.0", cidr_mask: "24", netmask: "255.255.255.0", managerid: 1, origin: "ipsec" },
    { subnet: "172.16.0.0/24", network: "172.16.0.0", cidr_mask: "24", netmask: "255.255.255.0", managerid: 1, origin: "local_no_encryption" },
  ],
};
/** Default answer (no query parameter): `[network, netmask]` pairs, no origin. */
const SUBNET_PAIRS = { response: SUBNETS.response.map((s) => [s.network, s.netmask]) };

interface Seen {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * A VNS3 API stand-in: basic auth api/PASSWORD or the api-token TOKEN; `status` forces an answer,
 * `subnetsStatus` one for connected_subnets only, `ipsec` replaces the tunnels.
 */
async function startVns3(cert: TestCertificate, options: { status?: number; subnets?: unknown; subnetsStatus?: number; ipsec?: unknown } = {}) {
  const seen: Seen[] = [];
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    seen.push({ path: req.url ?? "", headers: req.headers });
    const basicOk = req.headers.authorization === `Basic ${Buffer.from(`api:${PASSWORD}`).toString("base64")}`;
    const tokenOk = req.headers["api-token"] === TOKEN;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (options.status !== undefined) return send(options.status, { error: { message: "Unauthorized" } });
    if (!basicOk && !tokenOk) return send(401, { error: { message: "Unauthorized" } });
    const url = new URL(req.url ?? "/", "https://stand-in");
    if (url.pathname === "/api/status/ipsec") return send(200, options.ipsec ?? IPSEC);
    if (url.pathname === "/api/status/connected_subnets") {
      if (options.subnetsStatus !== undefined) return send(options.subnetsStatus, { error: { message: "Internal error" } });
      return send(200, url.searchParams.get("extended_output") === "true" ? (options.subnets ?? SUBNETS) : SUBNET_PAIRS);
    }
    return send(404, { error: { message: "not found" } });
  });
  return { ...(await listen(server)), seen };
}

interface IntakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

/** A Datadog intake stand-in that records (and decompresses) what it receives. */
async function startIntake() {
  const requests: IntakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") raw = zlib.gunzipSync(raw);
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined });
      res.writeHead(202, { "Content-Type": "application/json" });
      res.end(req.url === "/api/v2/series" ? '{"errors":[]}' : '{"status":"ok"}');
    });
  });
  return { ...(await listen(server)), requests };
}

function controllerYaml(name: string, port: number, fingerprint: string, extra = ""): string {
  return `  - name: ${name}
    host: 127.0.0.1
    port: ${port}
    securityGroupId: sg-0a1b2c3d4e5f60101
    tlsSha256: "${fingerprint}"
${extra}`;
}

function environmentYaml(controllers: string, datadog = ""): string {
  return `name: lab
aws:
  region: eu-west-1
  vpcId: vpc-0a1b2c3d4e5f60718
  subnetIds:
    - subnet-0a1b2c3d4e5f60001
controllers:
${controllers}
datadog:
  site: EU
${datadog}
ticketing:
  webhookUrl: https://tickets.example.com/hook
`;
}

describe("npm run check", () => {
  let cert: TestCertificate;
  let tmp: ReturnType<typeof tempDir>;
  let vns3: Awaited<ReturnType<typeof startVns3>>;
  let intake: Awaited<ReturnType<typeof startIntake>>;
  const secretsMock = mockClient(SecretsManagerClient);

  beforeAll(async () => {
    cert = await createCertificate();
  });
  beforeEach(async () => {
    tmp = tempDir();
    vns3 = await startVns3(cert);
    intake = await startIntake();
    secretsMock.reset();
  });
  afterEach(async () => {
    await vns3.close();
    await intake.close();
    tmp.remove();
  });
  afterAll(() => secretsMock.restore());

  const writeEnvironment = (text: string) => fs.writeFileSync(path.join(tmp.dir, "lab.yaml"), text);
  const baseEnv = () => ({ VNS3_VNS3_A_PASSWORD: PASSWORD, DD_API_URL: `http://127.0.0.1:${intake.port}` });

  it("prints every tunnel and what would be sent, sends nothing, exits 0 (real process)", async () => {
    // Prepare
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));

    // Act
    const run = await runCli("cli/check/main.ts", ["lab", "--dir", tmp.dir], { env: cleanEnv(baseEnv()) });

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toContain(`Controller vns3-a  127.0.0.1:${vns3.port}  credentials: env VNS3_VNS3_A_PASSWORD (user api)`);
    expect(lines).toEqual(
      expect.arrayContaining([
        "  TUNNEL  DESCRIPTION               STATUS     ENDPOINT       REMOTE SUBNET  PHASE 1  PHASE 2",
        "  4       Payments primary          connected  acme-payments  10.40.0.0/24   up       up",
        "  7       Payments (Backup) Zürich  DOWN       acme-payments  10.41.0.0/24   up       down",
        `Would send to Datadog (http://127.0.0.1:${intake.port}); nothing was sent (add --send to post it):`,
        "    METRIC                VALUE  TAGS",
        "    vpn.controller.up     1      vpn_environment:lab,controller:vns3-a",
        "    vpn.tunnel.status     1      vpn_environment:lab,controller:vns3-a,tunnel:payments_primary,tunnel_id:4,endpoint:acme-payments",
        "    vpn.tunnel.status     0      vpn_environment:lab,controller:vns3-a,tunnel:payments_backup_zürich,tunnel_id:7,endpoint:acme-payments",
      ]),
    );
    // How subnets are compared is the checker's (test/handler); here: a count, never an unknown one.
    expect(run.stdout).toMatch(/\n {2}Connected subnets: \d+ not carried by any tunnel/);
    expect(run.stdout).toMatch(/\nSummary: 1 of 1 controllers read; 1 tunnel connected, 1 down; \d+ unmatched subnets?\n/);
    expect(run.stdout).toMatch(/ {2}POST \/api\/v2\/series: \d gauge series \(type 3\), all at timestamp \d{10}\n/);
    // Quiet: no AWS SDK Node-version warning (the SDK is loaded for the secrets), nothing else on stderr.
    expect(run.stderr).toBe("");
    expect(vns3.seen.map((r) => [r.path, r.headers.authorization])).toEqual([
      ["/api/status/ipsec", `Basic ${Buffer.from(`api:${PASSWORD}`).toString("base64")}`],
      ["/api/status/connected_subnets?extended_output=true", `Basic ${Buffer.from(`api:${PASSWORD}`).toString("base64")}`],
    ]);
    expect(intake.requests).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it("exits non-zero when a controller answers 401, and still reports the others", async () => {
    const refusing = await startVns3(cert, { status: 401 });
    try {
      writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256) + controllerYaml("vns3-b", refusing.port, cert.fingerprint256)));
      const io = memoryIo({ env: { ...baseEnv(), VNS3_VNS3_B_PASSWORD: "wrong-Password-789" } });

      const code = await main(["lab", "--dir", tmp.dir], io);

      expect(code).toBe(1);
      expect(io.out()).toContain(`Controller vns3-b  127.0.0.1:${refusing.port}  credentials: env VNS3_VNS3_B_PASSWORD (user api)\n  DOWN (auth) in `);
      expect(io.out()).toContain(": HTTP 401: credentials rejected\n");
      expect(io.out()).toContain("  4       Payments primary");
      expect(io.out()).toContain("    vpn.controller.up     0      vpn_environment:lab,controller:vns3-b,reason:auth\n");
      expect(io.out()).toContain("Summary: 1 of 2 controllers read;");
      expect(io.err()).toBe("error: vns3-b (auth) could not be read\n");
    expect(io.out()).toContain("  subnets of vns3-b unknown: controller not read (auth)\n");
      expect(refusing.seen.map((r) => r.path)).toEqual(["/api/status/ipsec"]); // a refused login is tried once
      expect(io.out() + io.err()).not.toContain("wrong-Password-789");
      expect(intake.requests).toEqual([]);
    } finally {
      await refusing.close();
    }
  });

  it("with --send delivers through the checker's sink: one series request, carrying what it printed", async () => {
    // Subnets unreadable (HTTP 500): no subnet point and no event, so the series is exactly the tunnels.
    await vns3.close();
    vns3 = await startVns3(cert, { subnetsStatus: 500 });
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: { ...baseEnv(), DD_API_KEY: API_KEY } });

    const code = await main(["lab", "--dir", tmp.dir, "--send"], io);

    expect(io.err()).toBe("");
    expect(code).toBe(0);
    expect(intake.requests.map((r) => [r.method, r.path])).toEqual([["POST", "/api/v2/series"]]);
    const request = intake.requests[0] as IntakeRequest;
    expect(request.headers["dd-api-key"]).toBe(API_KEY);
    expect(request.headers["content-encoding"]).toBe("gzip"); // the checker's sink compresses; the CLI has no sender of its own
    const series = (request.body as { series: { metric: string; type: number; points: { timestamp: number; value: number }[]; tags: string[] }[] }).series;
    expect(series.map((s) => [s.metric, s.type, s.points.map((p) => p.value), s.tags.join(",")])).toEqual([
      ["vpn.controller.up", 3, [1], "vpn_environment:lab,controller:vns3-a"],
      ["vpn.tunnel.status", 3, [1], "vpn_environment:lab,controller:vns3-a,tunnel:payments_primary,tunnel_id:4,endpoint:acme-payments"],
      ["vpn.tunnel.status", 3, [0], "vpn_environment:lab,controller:vns3-a,tunnel:payments_backup_zürich,tunnel_id:7,endpoint:acme-payments"],
    ]);
    expect(io.out()).toContain(`Sent to Datadog (http://127.0.0.1:${intake.port}, API key from env DD_API_KEY) by the checker's sink:\n`);
    expect(io.out()).toContain("Series accepted by Datadog: 1 request, 1 attempt.\n");
    expect(io.out()).not.toContain(API_KEY);
  });

  it("never says 0 unmatched when the subnets were not read: it says unknown and why", async () => {
    await vns3.close();
    vns3 = await startVns3(cert, { subnetsStatus: 500 });
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: baseEnv() });

    const code = await main(["lab", "--dir", tmp.dir], io);

    expect(code).toBe(0);
    expect(io.out()).toMatch(/\n {2}Connected subnets: unknown \(http_error: [^\n]*\); no unmatched-subnet check for this controller\n/);
    expect(io.out()).toContain("\nSummary: 1 of 1 controllers read; 1 tunnel connected, 1 down; unmatched subnets unknown\n  subnets of vns3-a unknown: http_error: ");
    expect(io.out()).not.toMatch(/\b0 unmatched/);
    expect(io.out()).not.toContain("vpn.subnet.unmatched");
  });

  it("escapes what a controller sent before printing it, and warns about tunnels sharing a description", async () => {
    const ESC = String.fromCharCode(0x1b);
    const tunnel = (description: string, remote: string, connected: boolean) => ({
      local_subnet: "172.16.0.0/24",
      remote_subnet: remote,
      endpointid: 2,
      endpoint_name: `acme${ESC}]0;owned${String.fromCharCode(7)}`,
      active: true,
      description,
      connected,
      tunnel_params: { phase1: "up", phase2: connected ? "up" : "down" },
    });
    await vns3.close();
    vns3 = await startVns3(cert, {
      subnetsStatus: 500,
      ipsec: { response: { "4": tunnel(`Payments${ESC}[2J\rEVIL`, "10.40.0.0/24", true), "9": tunnel("Shared link", "10.42.0.0/24", true), "11": tunnel("shared  LINK", "10.43.0.0/24", false) } },
    });
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: baseEnv() });

    const code = await main(["lab", "--dir", tmp.dir], io);

    expect(code).toBe(0);
    expect(io.out()).not.toContain(ESC);
    expect(io.out()).not.toContain("\r");
    expect(io.out()).not.toContain(String.fromCharCode(7));
    expect(io.out()).toContain("  4       Payments\\e[2J\\rEVIL  connected  acme\\e]0;owned\\x07");
    expect(io.err()).toBe("warning: 2 tunnels share the description shared_link (vns3-a tunnel 9, vns3-a tunnel 11): give each its own description on the controller, so their alerts and dashboards tell them apart\n");
  });

  it("with --send, Datadog refusing the series exits 1 and still prints every controller", async () => {
    const refusing = await listen(
      http.createServer((req, res) => {
        req.resume();
        // Datadog's API reference: 403 with an `errors` list for a bad API key.
        req.on("end", () => {
          res.writeHead(403, { "Content-Type": "application/json" });
          res.end('{"errors":["Forbidden"]}');
        });
      }),
    );
    try {
      writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
      const io = memoryIo({ env: { ...baseEnv(), DD_API_URL: `http://127.0.0.1:${refusing.port}`, DD_API_KEY: API_KEY } });

      const code = await main(["lab", "--dir", tmp.dir, "--send"], io);

      expect(code).toBe(1);
      expect(io.out()).toContain("  4       Payments primary");
      expect(io.err()).toMatch(/^error: Datadog did not accept the series: HTTP 403 \(Forbidden\) after 1 attempt\n$/m);
      expect(io.out() + io.err()).not.toContain(API_KEY);
    } finally {
      await refusing.close();
    }
  });

  it("with --send also posts the unmatched-subnet events it lists", async () => {
    await vns3.close();
    vns3 = await startVns3(cert, {
      subnets: { response: [...SUBNETS.response, { subnet: "10.99.0.0/24", network: "10.99.0.0", cidr_mask: "24", netmask: "255.255.255.0", managerid: 1, origin: "ipsec" }] },
    });
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: { ...baseEnv(), DD_API_KEY: API_KEY } });

    const code = await main(["lab", "--dir", tmp.dir, "--send"], io);

    expect(code).toBe(0);
    expect(io.out()).toMatch(/ {2}POST \/api\/v1\/events: \d+ events? \(alert_type warning\)\n/);
    expect(io.out()).toMatch(/\n {4}VNS3 subnet 10\.99\.0\.0(\/24)? not carried by any tunnel on vns3-a/);
    const events = intake.requests.filter((r) => r.path === "/api/v1/events");
    expect(events.length).toBeGreaterThan(0);
    expect(io.out()).toContain(`Events delivered: ${events.length} of ${events.length}.`);
  });

  it("sends the API token header when VNS3_<CONTROLLER>_API_TOKEN is set", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: { VNS3_VNS3_A_API_TOKEN: TOKEN } });

    const code = await main(["lab", "--dir", tmp.dir], io);

    expect(code).toBe(0);
    expect(io.out()).toContain("credentials: env VNS3_VNS3_A_API_TOKEN\n");
    expect(vns3.seen.map((r) => [r.headers["api-token"], r.headers.authorization])).toEqual([
      [TOKEN, undefined],
      [TOKEN, undefined],
    ]);
    expect(io.out()).not.toContain(TOKEN);
  });

  it("reads credentials from the secrets when no local variable is set: by ARN, or the stack's secret by name", async () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lab/vns3-a-AbCdEf";
    const other = await startVns3(cert);
    try {
      writeEnvironment(
        environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256, `    secretArn: ${arn}\n`) + controllerYaml("vns3-b", other.port, cert.fingerprint256)),
      );
      secretsMock.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: JSON.stringify({ username: "api", password: PASSWORD }) });
      secretsMock.on(GetSecretValueCommand, { SecretId: "vpn-monitor/lab/vns3-b" }).resolves({ SecretString: JSON.stringify({ apiToken: TOKEN }) });
      const io = memoryIo({ env: {} });

      const code = await main(["lab", "--dir", tmp.dir], io, { secretsClient: new SecretsManagerClient({ region: "eu-west-1" }) });

      // The same tunnels on both stand-ins: legitimately reported as sharing descriptions.
      expect(io.err()).toBe(
        "warning: 2 tunnels share the description payments_primary (vns3-a tunnel 4, vns3-b tunnel 4): give each its own description on the controller, so their alerts and dashboards tell them apart\n" +
          "warning: 2 tunnels share the description payments_backup_zürich (vns3-a tunnel 7, vns3-b tunnel 7): give each its own description on the controller, so their alerts and dashboards tell them apart\n",
      );
      expect(code).toBe(0);
      expect(io.out()).toContain(`credentials: secret ${arn}\n`);
      expect(io.out()).toContain("credentials: secret vpn-monitor/lab/vns3-b\n");
      expect(secretsMock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId).sort()).toEqual([arn, "vpn-monitor/lab/vns3-b"]);
      expect(other.seen[0]?.headers["api-token"]).toBe(TOKEN);
      expect(io.out()).not.toContain(PASSWORD);
      expect(io.out()).not.toContain(TOKEN);
    } finally {
      await other.close();
    }
  });

  it("refuses a certificate that does not match the pin without sending a request", async () => {
    const other = await createCertificate({ commonName: "impostor" });
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, other.fingerprint256)));
    const io = memoryIo({ env: baseEnv() });

    const code = await main(["lab", "--dir", tmp.dir], io);

    expect(code).toBe(1);
    expect(io.out()).toContain("  DOWN (tls_pin_mismatch)");
    expect(vns3.seen).toEqual([]);
  });

  it("names the environments there are when the one asked for does not exist", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo();

    const code = await main(["lba", "--dir", tmp.dir], io);

    expect(code).toBe(2);
    expect(io.err()).toBe(`error: no environment named "lba" in ${tmp.dir} (there are: lab)\n`);
  });

  it("warns about a credential variable that matches no controller", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: { ...baseEnv(), VNS3_VNS3A_PASSWORD: "typo-Secret-000" } });

    const code = await main(["lab", "--dir", tmp.dir], io);

    expect(code).toBe(0);
    expect(io.err()).toBe("warning: VNS3_VNS3A_PASSWORD matches no controller of lab (expected VNS3_VNS3_A_…)\n");
  });
});
