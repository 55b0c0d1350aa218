/**
 * `npm run check` against loopback stand-ins: a VNS3 API over HTTPS with a self-signed
 * certificate generated here (pinned in the environment file), and a Datadog intake.
 *
 * The VNS3 stand-in answers as Cohesive's OpenAPI description of the API says
 * (cohesive/cohesivenet-client-go, cohesivenet/api/openapi.yaml):
 * - GET /api/status/ipsec (operation getIpsecStatus): `response` keyed by tunnel id, each entry a
 *   `RuntimeStatus_ipsec_value` (schema IpsecTunnelDetail's example: `id`, `active`, `enabled`,
 *   `endpointid` and `endpoint_id`, `endpoint_name`, `description`, `local_subnet`,
 *   `remote_subnet`, `connected`, `tunnel_params` with `phase1`/`phase2`).
 * - GET /api/status/connected_subnets (operation getConnectedSubnets, schema
 *   ConnectedSubnetsDetail, a oneOf): `[network, netmask]` pairs by default (query parameter
 *   `extended_output`, default false) and verbose `ConnectedSubnet` objects (`subnet`, `network`,
 *   `cidr_mask`, `managerid`, `netmask`, `origin`) only with `extended_output=true`. An older
 *   controller that ignores the parameter answers pairs either way (`ignoresExtendedOutput`).
 * The intake answers as Datadog's API reference for POST /api/v2/series (202 `{"errors":[]}`) and
 * POST /api/v1/events (202).
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
/** The checker's reason for a controller that answered pairs only (handler/core.ts subnetsUnknownReason). */
const NO_ORIGIN = "the controller gave no origin (it answered [network, netmask] pairs, ignoring extended_output), so local and remote subnets cannot be told apart";

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

/** One entry of GET /api/status/ipsec, with the fields of the OpenAPI description's IpsecTunnelDetail example. */
function ipsecTunnel(id: number, description: string, endpoint: { name: string; endpointid?: number; endpoint_id?: number }, remoteSubnet: string, connected: boolean) {
  const { name, ...endpointIds } = endpoint;
  return {
    id,
    local_subnet: "172.16.0.0/24",
    remote_subnet: remoteSubnet,
    ...endpointIds,
    endpoint_name: name,
    active: true,
    enabled: true,
    description,
    connected,
    bounce: false,
    tunnel_params: connected
      ? { phase1: "up", phase2: "up", bytes_in: "1024", bytes_out: "2048", ike_version: "IKEv2" }
      : { phase1: remoteSubnet === "10.41.0.0/24" ? "up" : "down", phase2: "down", bytes_in: "0", bytes_out: "0", ike_version: "IKEv2" },
  };
}

interface Seen {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * A VNS3 API stand-in: basic auth api/PASSWORD or the api-token TOKEN; `status` forces an answer,
 * `subnetsStatus` one for connected_subnets only, `ipsec` replaces the tunnels.
 */
/**
 * GET /api/status/system (operation getSystemStatus, schema SystemStatus) with the values of the
 * Python SDK's `SystemAdminApiData.SystemStatus` (tests/vns3/stub_data.py); trimmed to what the
 * checker reads plus `loadavg`.
 */
const SYSTEM = {
  response: {
    vns3_version: "Cohesive Networks VNS3 4.9.0-20200121",
    uptime: 263155,
    loadavg: ["0.00", "0.05", "0.07", "1/328", "20398"],
    diskinfo: [["/dev/nvme0n1p1", "31571570688", "5974278144", "23986741248", "20%", "/", "13%"]],
    meminfo: ["8264527872", "4446773248", "3817754624", "90910720", "241074176", "3327860736", "877838336", "7386689536"],
  },
};

/** Without `system`, /api/status/system is a 404, as on an older controller. */
async function startVns3(cert: TestCertificate, options: { status?: number; subnets?: unknown; subnetsStatus?: number; ipsec?: unknown; ignoresExtendedOutput?: boolean; system?: unknown } = {}) {
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
    if (url.pathname === "/api/status/system" && options.system !== undefined) return send(200, options.system);
    if (url.pathname === "/api/status/connected_subnets") {
      if (options.subnetsStatus !== undefined) return send(options.subnetsStatus, { error: { message: "Internal error" } });
      const subnets = (options.subnets ?? SUBNETS) as { response: { network: string; netmask: string }[] };
      if (url.searchParams.get("extended_output") === "true" && options.ignoresExtendedOutput !== true) return send(200, subnets);
      return send(200, { response: subnets.response.map((s) => [s.network, s.netmask]) });
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

/**
 * A definition's `signals:` with the per-tunnel and health groups off: the tests of the base status
 * path. Expiry stays on: it adds exactly one gauge per controller (the pinned certificate's days left).
 */
const BASE_SIGNALS_ONLY = `signals:
  traffic: { enabled: false }
  phase: { enabled: false }
  health: { enabled: false }
`;

function environmentYaml(controllers: string, datadog = "", rest = ""): string {
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
${rest}`;
}

describe("npm run check", () => {
  let cert: TestCertificate;
  let tmp: ReturnType<typeof tempDir>;
  let vns3: Awaited<ReturnType<typeof startVns3>>;
  let intake: Awaited<ReturnType<typeof startIntake>>;
  const secretsMock = mockClient(SecretsManagerClient);

  beforeAll(async () => {
    // Valid for 90 days from this whole second: vpn.controller.cert_days_left prints 90 for the
    // first 432 s (it is rounded to hundredths of a day), far longer than this file runs, and no
    // expiry warning (30 days) enters the alert preview.
    cert = await createCertificate({ notAfter: new Date(Math.floor(Date.now() / 1000) * 1000 + 90 * 86_400_000) });
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
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256), "", BASE_SIGNALS_ONLY));

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
        "    METRIC                         VALUE  TAGS",
        "    vpn.controller.up              1      vpn_environment:lab,controller:vns3-a",
        "    vpn.controller.cert_days_left  90     vpn_environment:lab,controller:vns3-a",
        "    vpn.tunnel.status              1      vpn_environment:lab,controller:vns3-a,tunnel:payments_primary,tunnel_id:4,endpoint:acme-payments",
        "    vpn.tunnel.status              0      vpn_environment:lab,controller:vns3-a,tunnel:payments_backup_zürich,tunnel_id:7,endpoint:acme-payments",
      ]),
    );
    // Both ipsec subnets are carried, the local one is never reported: 0, and only because they were compared.
    expect(lines).toContain("  Connected subnets: 0 not carried by any tunnel");
    expect(lines).toContain("Summary: 1 of 1 controllers read; 1 tunnel connected, 1 down, 0 disabled; 0 unmatched subnets");
    // Simple mode: one alert for the environment, judged against the maintenance windows (none) now.
    const preview = lines.findIndex((l) => l.startsWith("Alerts the monitors would open"));
    expect(lines[preview]).toMatch(/^Alerts the monitors would open if these values held for 5 minutes \(mode simple: one alert \(one ticket\) for the environment when any tunnel drops\), maintenance as of \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z:$/);
    expect(lines[preview + 1]).toBe("  tunnels     vpn_environment:lab  down: payments_backup_zürich");
    expect(lines[preview + 2]).toBe("");
    expect(run.stdout).toMatch(/\n {2}POST \/api\/v2\/series: 5 gauge series \(type 3\), all at timestamp \d{10}\n/);
    // Quiet: no AWS SDK Node-version warning (the SDK is loaded for the secrets), nothing else on stderr.
    expect(run.stderr).toBe("");
    expect(vns3.seen.map((r) => [r.path, r.headers.authorization])).toEqual([
      ["/api/status/ipsec", `Basic ${Buffer.from(`api:${PASSWORD}`).toString("base64")}`],
      ["/api/status/connected_subnets?extended_output=true", `Basic ${Buffer.from(`api:${PASSWORD}`).toString("base64")}`],
    ]);
    expect(intake.requests).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it("prints the checker's summary and the alert preview exactly: partner mode, a maintenance window on, a disabled tunnel, shared names, subnets unknown where no origin came (real process)", async () => {
    // Prepare: vns3-a answers the verbose subnets; vns3-b is an older controller that ignores extended_output.
    const ipsecA = {
      response: {
        "4": ipsecTunnel(4, "Payments primary", { name: "acme-payments", endpointid: 2 }, "10.40.0.0/24", true),
        "7": ipsecTunnel(7, "Payments backup", { name: "acme-payments", endpointid: 2 }, "10.41.0.0/24", false),
        "9": ipsecTunnel(9, "Shared link", { name: "Globex", endpointid: 3 }, "10.42.0.0/24", false),
        "11": ipsecTunnel(11, "shared  LINK", { name: "Globex", endpointid: 3 }, "10.43.0.0/24", true),
        // Turned off by an administrator (active and enabled false), endpoint id spelled endpoint_id.
        "12": { ...ipsecTunnel(12, "Old Initech link", { name: "initech", endpoint_id: 4 }, "10.44.0.0/24", false), active: false, enabled: false },
        "14": ipsecTunnel(14, "Initech HQ", { name: "Initech", endpointid: 5 }, "10.45.0.0/24", true),
      },
    };
    const verbose = (subnet: string, origin: string) => {
      const [network, bits] = subnet.split("/") as [string, string];
      const netmask = bits === "16" ? "255.255.0.0" : "255.255.255.0";
      return { subnet, network, cidr_mask: bits, netmask, managerid: 1, origin };
    };
    const subnetsA = {
      response: [
        ...["10.40.0.0/24", "10.41.0.0/24", "10.42.0.0/24", "10.43.0.0/24", "10.45.0.0/24", "10.99.0.0/24"].map((n) => verbose(n, "ipsec")),
        verbose("172.16.0.0/24", "local_no_encryption"),
        verbose("10.200.0.0/16", "remote_manager"),
      ],
    };
    await vns3.close();
    vns3 = await startVns3(cert, { ipsec: ipsecA, subnets: subnetsA, system: SYSTEM });
    const older = await startVns3(cert, {
      ignoresExtendedOutput: true,
      ipsec: { response: { "1": ipsecTunnel(1, "Globex DR", { name: "Globex", endpointid: 1 }, "10.52.0.0/24", true) } },
      subnets: { response: [verbose("10.52.0.0/24", "ipsec"), verbose("172.16.1.0/24", "local_no_encryption")] },
    });
    try {
      writeEnvironment(
        environmentYaml(
          controllerYaml("vns3-a", vns3.port, cert.fingerprint256) + controllerYaml("vns3-b", older.port, cert.fingerprint256),
          "",
          `monitor:
  mode: partner
maintenance:
  - name: acme-payments weekly maintenance
    rrule: FREQ=WEEKLY;BYDAY=SU
    start: "2026-01-04T01:00"
    duration: 2h
    timezone: America/New_York
    partner: acme-payments
  - name: Globex quarterly freeze
    rrule: FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1
    start: "2026-01-01T00:00"
    duration: 1d
    timezone: Europe/Zurich
    partner: globex
`,
        ),
      );

      // Act: Sunday 01:30 in New York, inside the acme-payments window, outside Globex's.
      const run = await runCli("cli/check/main.ts", ["lab", "--dir", tmp.dir, "--now", "2026-01-11T01:30-05:00"], {
        env: cleanEnv({ ...baseEnv(), VNS3_VNS3_B_PASSWORD: PASSWORD }),
      });

      // Assess: everything but the ports, the read times and the timestamp is fixed.
      expect(run.code).toBe(0);
      const stdout = run.stdout.replace(/read in \d+ ms/g, "read in N ms").replace(/all at timestamp \d{10}/, "all at timestamp T");
      expect(stdout).toBe(
        [
          `Check of lab (${path.join(tmp.dir, "lab.yaml")}), 2 controllers`,
          "",
          `Controller vns3-a  127.0.0.1:${vns3.port}  credentials: env VNS3_VNS3_A_PASSWORD (user api)`,
          "  up: 6 tunnels, read in N ms",
          "  TUNNEL  DESCRIPTION       STATUS     ENDPOINT       REMOTE SUBNET  PHASE 1  PHASE 2  BYTES IN   BYTES OUT  RE-ESTABLISHED",
          "  4       Payments primary  connected  acme-payments  10.40.0.0/24   up       up       1024 (SA)  2048 (SA)  -",
          "  7       Payments backup   DOWN       acme-payments  10.41.0.0/24   up       down     0 (SA)     0 (SA)     -",
          "  9       Shared link       DOWN       Globex         10.42.0.0/24   down     down     0 (SA)     0 (SA)     -",
          "  11      shared  LINK      connected  Globex         10.43.0.0/24   up       up       1024 (SA)  2048 (SA)  -",
          "  12      Old Initech link  disabled   initech        10.44.0.0/24   down     down     -          -          -",
          "  14      Initech HQ        connected  Initech        10.45.0.0/24   up       up       1024 (SA)  2048 (SA)  -",
          "  Connected subnets: 1 not carried by any tunnel (10.99.0.0/24)",
          "  Health: uptime 263155 s (3.0 days), disk 20%, inodes 13%, memory 10.6%, VNS3 4.9.0-20200121",
          "",
          `Controller vns3-b  127.0.0.1:${older.port}  credentials: env VNS3_VNS3_B_PASSWORD (user api)`,
          "  up: 1 tunnel, read in N ms",
          "  TUNNEL  DESCRIPTION  STATUS     ENDPOINT  REMOTE SUBNET  PHASE 1  PHASE 2  BYTES IN   BYTES OUT  RE-ESTABLISHED",
          "  1       Globex DR    connected  Globex    10.52.0.0/24   up       up       1024 (SA)  2048 (SA)  -",
          `  Connected subnets: unknown (${NO_ORIGIN}); no unmatched-subnet check for this controller`,
          // An older controller without /api/status/system: health unknown, the controller still up.
          "  Health: unavailable (http_error: HTTP 404); the controller still counts as up",
          "",
          "Summary: 2 of 2 controllers read; 4 tunnels connected, 2 down, 1 disabled; 1 unmatched subnet on vns3-a, unknown on vns3-b",
          `  subnets of vns3-b unknown: ${NO_ORIGIN}`,
          "",
          "Alerts the monitors would open if these values held for 5 minutes (mode partner: one alert (one ticket) per partner endpoint, naming the partner, however many of its tunnels are down), maintenance as of 2026-01-11T06:30:00.000Z:",
          '  tunnels     endpoint:acme-payments  down: payments_backup  (muted by maintenance "acme-payments weekly maintenance")',
          "  tunnels     endpoint:globex  down: shared_link-vns3-a-9",
          "",
          `Would send to Datadog (http://127.0.0.1:${intake.port}); nothing was sent (add --send to post it):`,
          "  POST /api/v2/series: 28 gauge series (type 3), all at timestamp T",
          "    METRIC                          VALUE   TAGS",
          "    vpn.controller.up               1       vpn_environment:lab,controller:vns3-a,vns3_version:4.9.0-20200121",
          "    vpn.controller.cert_days_left   90      vpn_environment:lab,controller:vns3-a",
          "    vpn.controller.uptime_seconds   263155  vpn_environment:lab,controller:vns3-a",
          "    vpn.controller.disk_used_pct    20      vpn_environment:lab,controller:vns3-a",
          "    vpn.controller.inode_used_pct   13      vpn_environment:lab,controller:vns3-a",
          "    vpn.controller.memory_used_pct  10.6    vpn_environment:lab,controller:vns3-a",
          "    vpn.tunnel.status               1       vpn_environment:lab,controller:vns3-a,tunnel:payments_primary,tunnel_id:4,endpoint:acme-payments",
          "    vpn.tunnel.phase1               1       vpn_environment:lab,controller:vns3-a,tunnel:payments_primary,tunnel_id:4,endpoint:acme-payments",
          "    vpn.tunnel.phase2               1       vpn_environment:lab,controller:vns3-a,tunnel:payments_primary,tunnel_id:4,endpoint:acme-payments",
          "    vpn.tunnel.status               0       vpn_environment:lab,controller:vns3-a,tunnel:payments_backup,tunnel_id:7,endpoint:acme-payments",
          "    vpn.tunnel.phase1               1       vpn_environment:lab,controller:vns3-a,tunnel:payments_backup,tunnel_id:7,endpoint:acme-payments",
          "    vpn.tunnel.phase2               0       vpn_environment:lab,controller:vns3-a,tunnel:payments_backup,tunnel_id:7,endpoint:acme-payments",
          "    vpn.tunnel.status               0       vpn_environment:lab,controller:vns3-a,tunnel:shared_link-vns3-a-9,tunnel_id:9,endpoint:globex",
          "    vpn.tunnel.phase1               0       vpn_environment:lab,controller:vns3-a,tunnel:shared_link-vns3-a-9,tunnel_id:9,endpoint:globex",
          "    vpn.tunnel.phase2               0       vpn_environment:lab,controller:vns3-a,tunnel:shared_link-vns3-a-9,tunnel_id:9,endpoint:globex",
          "    vpn.tunnel.status               1       vpn_environment:lab,controller:vns3-a,tunnel:shared_link-vns3-a-11,tunnel_id:11,endpoint:globex",
          "    vpn.tunnel.phase1               1       vpn_environment:lab,controller:vns3-a,tunnel:shared_link-vns3-a-11,tunnel_id:11,endpoint:globex",
          "    vpn.tunnel.phase2               1       vpn_environment:lab,controller:vns3-a,tunnel:shared_link-vns3-a-11,tunnel_id:11,endpoint:globex",
          "    vpn.tunnel.disabled             1       vpn_environment:lab,controller:vns3-a,tunnel:old_initech_link,tunnel_id:12,endpoint:initech-vns3-a-4",
          "    vpn.tunnel.status               1       vpn_environment:lab,controller:vns3-a,tunnel:initech_hq,tunnel_id:14,endpoint:initech-vns3-a-5",
          "    vpn.tunnel.phase1               1       vpn_environment:lab,controller:vns3-a,tunnel:initech_hq,tunnel_id:14,endpoint:initech-vns3-a-5",
          "    vpn.tunnel.phase2               1       vpn_environment:lab,controller:vns3-a,tunnel:initech_hq,tunnel_id:14,endpoint:initech-vns3-a-5",
          "    vpn.subnet.unmatched            1       vpn_environment:lab,controller:vns3-a",
          "    vpn.controller.up               1       vpn_environment:lab,controller:vns3-b",
          "    vpn.controller.cert_days_left   90      vpn_environment:lab,controller:vns3-b",
          "    vpn.tunnel.status               1       vpn_environment:lab,controller:vns3-b,tunnel:globex_dr,tunnel_id:1,endpoint:globex",
          "    vpn.tunnel.phase1               1       vpn_environment:lab,controller:vns3-b,tunnel:globex_dr,tunnel_id:1,endpoint:globex",
          "    vpn.tunnel.phase2               1       vpn_environment:lab,controller:vns3-b,tunnel:globex_dr,tunnel_id:1,endpoint:globex",
          "  POST /api/v1/events: 1 event (alert_type warning)",
          "    VNS3 subnet 10.99.0.0/24 not carried by any tunnel on vns3-a  [vpn_environment:lab,controller:vns3-a] aggregation_key vns3-unmatched-subnet:vns3-a:10.99.0.0/24",
          "",
        ].join("\n"),
      );
      expect(run.stderr).toBe(
        "warning: 2 tunnels share the description shared_link (vns3-a tunnel 9, vns3-a tunnel 11), so each is tagged with a suffix: tunnel:shared_link-vns3-a-9, tunnel:shared_link-vns3-a-11. " +
          "Give each its own description on the controller, so alerts, dashboards and maintenance windows name them plainly\n" +
          "warning: 2 partner endpoints share the name initech (vns3-a endpoint 4, vns3-a endpoint 5), so each is tagged with a suffix: endpoint:initech-vns3-a-4, endpoint:initech-vns3-a-5. " +
          "Give each partner its own endpoint name on the controller, so partner alerts and maintenance windows name them plainly\n",
      );
      // As published: the verbose answer is asked for by query parameter on both.
      expect([...vns3.seen, ...older.seen].map((r) => r.path).sort()).toEqual([
        "/api/status/connected_subnets?extended_output=true",
        "/api/status/connected_subnets?extended_output=true",
        "/api/status/ipsec",
        "/api/status/ipsec",
        "/api/status/system",
        "/api/status/system",
      ]);
      expect(intake.requests).toEqual([]);
    } finally {
      await older.close();
    }
  });

  it("keeps the AWS SDK's Node-version warning out of the output, but not other warnings (real process)", async () => {
    // Prepare: a preloaded module that emits a warning of its own once the CLI runs.
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const preload = path.join(tmp.dir, "warn.js");
    fs.writeFileSync(preload, 'setImmediate(() => process.emitWarning("still shown", "OperatorWarning"));\n');

    // Act
    const run = await runCli("cli/check/main.ts", ["lab", "--dir", tmp.dir], { env: cleanEnv({ ...baseEnv(), NODE_OPTIONS: `--require ${preload}` }) });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^\(node:\d+\) OperatorWarning: still shown\n/);
    expect(run.stderr).not.toContain("NodeVersionSupportWarning");
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
      expect(io.out()).toContain("    vpn.controller.up              0      vpn_environment:lab,controller:vns3-b,reason:auth\n");
      expect(io.out()).toContain("Summary: 1 of 2 controllers read; 1 tunnel connected, 1 down, 0 disabled; 0 unmatched subnets on vns3-a, unknown on vns3-b\n");
      // The controller monitor's group, with the reason, beside the tunnels' one alert (simple mode).
      expect(io.out()).toContain("  tunnels     vpn_environment:lab  down: payments_backup_zürich\n  controllers controller:vns3-b  down: auth\n\n");
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
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256), "", BASE_SIGNALS_ONLY));
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
      ["vpn.controller.cert_days_left", 3, [90], "vpn_environment:lab,controller:vns3-a"],
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
    expect(io.out()).toContain("\n  Connected subnets: unknown (not read (http_error: HTTP 500)); no unmatched-subnet check for this controller\n");
    expect(io.out()).toContain("\nSummary: 1 of 1 controllers read; 1 tunnel connected, 1 down, 0 disabled; unmatched subnets unknown\n  subnets of vns3-a unknown: not read (http_error: HTTP 500)\n");
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
    expect(io.err()).toBe(
      "warning: 2 tunnels share the description shared_link (vns3-a tunnel 9, vns3-a tunnel 11), so each is tagged with a suffix: tunnel:shared_link-vns3-a-9, tunnel:shared_link-vns3-a-11. " +
        "Give each its own description on the controller, so alerts, dashboards and maintenance windows name them plainly\n",
    );
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
      // The checker's summary of the same readings, though runCheck threw.
      expect(io.out()).toContain("\nSummary: 1 of 1 controllers read; 1 tunnel connected, 1 down, 0 disabled; 0 unmatched subnets\n");
      expect(io.out()).toContain("  tunnels     vpn_environment:lab  down: payments_backup_zürich\n");
      expect(io.err()).toMatch(/^error: Datadog did not accept the series: HTTP 403 \(Forbidden\) after 1 attempt\n$/m);
      expect(io.out() + io.err()).not.toContain(API_KEY);
      // On stdout as well, and never "Sent to Datadog".
      expect(io.out()).toContain(`\nSend to Datadog FAILED (http://127.0.0.1:${refusing.port}, API key from env DD_API_KEY): Datadog did not accept the series: HTTP 403 (Forbidden) after 1 attempt\n`);
      expect(io.out()).not.toContain("Sent to Datadog");
      expect(io.out()).not.toContain("Series accepted by Datadog");
    } finally {
      await refusing.close();
    }
  });

  it("with --send, escapes the error text Datadog sent before printing it", async () => {
    const refusing = await listen(
      http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          res.writeHead(400, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ errors: ["bad\u001b]0;owned\u0007 payload\u001b[2J"] }));
        });
      }),
    );
    try {
      writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256), "", BASE_SIGNALS_ONLY));
      const io = memoryIo({ env: { ...baseEnv(), DD_API_URL: `http://127.0.0.1:${refusing.port}`, DD_API_KEY: API_KEY } });

      const code = await main(["lab", "--dir", tmp.dir, "--send"], io);

      expect(code).toBe(1);
      expect(io.out() + io.err()).not.toContain("\u001b");
      expect(io.out() + io.err()).not.toContain("\u0007");
      expect(io.out()).toContain("Send to Datadog FAILED");
      expect(io.out()).toContain("Datadog did not accept the series: HTTP 400 (bad\\e]0;owned\\x07 payload\\e[2J) after 1 attempt");
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
    expect(io.out()).toContain(
      "  POST /api/v1/events: 1 event (alert_type warning)\n" +
        "    VNS3 subnet 10.99.0.0/24 not carried by any tunnel on vns3-a  [vpn_environment:lab,controller:vns3-a] aggregation_key vns3-unmatched-subnet:vns3-a:10.99.0.0/24\n",
    );
    expect(io.out()).toContain("  Connected subnets: 1 not carried by any tunnel (10.99.0.0/24)\n");
    const events = intake.requests.filter((r) => r.path === "/api/v1/events");
    expect(events.map((e) => (e.body as { title: string }).title)).toEqual(["VNS3 subnet 10.99.0.0/24 not carried by any tunnel on vns3-a"]);
    expect(io.out()).toContain("Events delivered: 1 of 1.");
  });

  it("sends the API token header when VNS3_<CONTROLLER>_API_TOKEN is set", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: { VNS3_VNS3_A_API_TOKEN: TOKEN } });

    const code = await main(["lab", "--dir", tmp.dir], io);

    expect(code).toBe(0);
    expect(io.out()).toContain("credentials: env VNS3_VNS3_A_API_TOKEN\n");
    // ipsec, connected_subnets and system: every request carries the token, none basic auth.
    expect(vns3.seen.map((r) => [r.headers["api-token"], r.headers.authorization])).toEqual([
      [TOKEN, undefined],
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
        "warning: 2 tunnels share the description payments_primary (vns3-a tunnel 4, vns3-b tunnel 4), so each is tagged with a suffix: tunnel:payments_primary-vns3-a-4, tunnel:payments_primary-vns3-b-4. " +
          "Give each its own description on the controller, so alerts, dashboards and maintenance windows name them plainly\n" +
          "warning: 2 tunnels share the description payments_backup_zürich (vns3-a tunnel 7, vns3-b tunnel 7), so each is tagged with a suffix: tunnel:payments_backup_zürich-vns3-a-7, tunnel:payments_backup_zürich-vns3-b-7. " +
          "Give each its own description on the controller, so alerts, dashboards and maintenance windows name them plainly\n",
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

  /** An unscoped window: Sundays 01:00-03:00 New York time. */
  const SUNDAY_PATCHING = "maintenance:\n  - name: Sunday patching\n    rrule: FREQ=WEEKLY;BYDAY=SU\n    start: \"2026-01-04T01:00\"\n    duration: 2h\n    timezone: America/New_York\n";

  it("judges maintenance at the injected clock's time and stamps the points with it; an unscoped window mutes the environment's alert", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256), "", SUNDAY_PATCHING + BASE_SIGNALS_ONLY));
    const io = memoryIo({ env: baseEnv() });
    const sunday = Date.parse("2026-01-11T06:30:00Z"); // 01:30 in New York

    const code = await main(["lab", "--dir", tmp.dir], io, { clock: { now: () => sunday } });

    expect(code).toBe(0);
    expect(io.out()).toContain(
      "maintenance as of 2026-01-11T06:30:00.000Z:\n" + '  tunnels     vpn_environment:lab  down: payments_backup_zürich  (muted by maintenance "Sunday patching")\n\n',
    );
    expect(io.out()).toContain(`  POST /api/v2/series: 5 gauge series (type 3), all at timestamp ${sunday / 1000}\n`);
  });

  it("with --now, judges maintenance at that time: an hour after the window, nothing is muted", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256), "", SUNDAY_PATCHING));
    const io = memoryIo({ env: baseEnv() });

    const code = await main(["lab", "--dir", tmp.dir, "--now", "2026-01-11T04:00-05:00"], io, { clock: { now: () => Date.parse("2026-01-11T06:30:00Z") } });

    expect(code).toBe(0);
    expect(io.out()).toContain("maintenance as of 2026-01-11T09:00:00.000Z:\n  tunnels     vpn_environment:lab  down: payments_backup_zürich\n\n");
    // --now changes the preview only, never what is sent.
    expect(io.out()).toContain(`all at timestamp ${Date.parse("2026-01-11T06:30:00Z") / 1000}\n`);
  });

  it.each([["2026-01-11T01:30"], ["next sunday"], ["2026-13-11T01:30Z"], ["2026-02-30T01:30Z"], ["2026-01-11T25:30Z"]])("refuses --now %j before reading any controller", async (value) => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: baseEnv() });

    const code = await main(["lab", "--dir", tmp.dir, "--now", value], io);

    expect(code).toBe(2); // usage, not 1 (a controller could not be read)
    expect(io.err()).toBe(
      `error: --now ${JSON.stringify(value)}: expected an ISO 8601 time with its offset, e.g. 2026-01-11T01:30-05:00 or 2026-01-11T06:30Z\nEvery flag: npm run check -- --help\n`,
    );
    expect(vns3.seen).toEqual([]);
  });

  it.each([["0"], ["301"], ["twenty"]])("refuses --timeout %j with the usage code before reading any controller", async (value) => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: baseEnv() });

    const code = await main(["lab", "--dir", tmp.dir, "--timeout", value], io);

    expect(code).toBe(2);
    expect(io.err()).toBe(`error: --timeout ${JSON.stringify(value)}: expected seconds, 1-300\nEvery flag: npm run check -- --help\n`);
    expect(vns3.seen).toEqual([]);
  });

  it("names the environments there are, and the near miss, when the one asked for does not exist", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo();

    const code = await main(["lba", "--dir", tmp.dir], io);
    const far = memoryIo();
    const farCode = await main(["acme-prod", "--dir", tmp.dir], far);

    expect(code).toBe(2);
    expect(io.err()).toBe(`error: no environment named "lba" in ${tmp.dir} (did you mean lab?); there are: lab\n`);
    expect(farCode).toBe(2);
    expect(far.err()).toBe(`error: no environment named "acme-prod" in ${tmp.dir}; there are: lab\n`);
  });

  it("warns about a credential variable that matches no controller", async () => {
    writeEnvironment(environmentYaml(controllerYaml("vns3-a", vns3.port, cert.fingerprint256)));
    const io = memoryIo({ env: { ...baseEnv(), VNS3_VNS3A_PASSWORD: "typo-Secret-000" } });

    const code = await main(["lab", "--dir", tmp.dir], io);

    expect(code).toBe(0);
    expect(io.err()).toBe("warning: VNS3_VNS3A_PASSWORD matches no controller of lab (expected VNS3_VNS3_A_…)\n");
  });
});
