// The benchmark's loopback stand-ins (VNS3 controllers over HTTPS, a Datadog intake over HTTP), run
// in a child process. Real controllers are other machines: serving their TLS handshakes in the
// checker's process would bill the servers' CPU to the checker (a worker thread would too, in
// process.cpuUsage()).
//
// Answers follow Cohesive's OpenAPI description of VNS3 (cohesive/cohesivenet-client-go,
// cohesivenet/api/openapi.yaml): `getIpsecStatus` answers `IpsecTunnelListResponseKeyValue`, tunnels
// keyed by id with the `IpsecTunnelDetail` fields and an `IpsecTunnelParams` object;
// `getConnectedSubnets` answers `[network, netmask]` pairs by default and the verbose
// `ConnectedSubnet` objects only when the query has `extended_output=true`. The intake answers
// 202 `{"errors": []}` as Datadog's v2 series intake documents.
//
// Connection behaviour, `connections`:
//   "keep":  idle connections are kept for 120 s, longer than the one-minute schedule interval;
//   "close": every answer carries `Connection: close` and the connection is closed after it.
//
// Plain JavaScript so it starts without a TypeScript loader. Protocol (IPC messages):
//   argv[2]: JSON { controllers, tunnelsPerController, latencyMs, cert: { key, cert }, username,
//                   password, connections, descriptionChars? }
//   out: { type: "ready", ports: number[], intakePort, ipsecBytes: number[] }
//   in:  { type: "stats" }  -> out: { type: "stats", requests, bytes, handshakes }
//   in:  { type: "reset" }  -> out: { type: "reset" }
//   in:  { type: "close" }  -> closes everything and exits
import * as http from "node:http";
import * as https from "node:https";

const options = JSON.parse(process.argv[2]);
const { controllers, tunnelsPerController, latencyMs, cert, username, password, connections } = options;
const descriptionChars = options.descriptionChars ?? 0;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
const KEEP_IDLE_MS = 120_000;

function description(t) {
  const base = `Partner ${t} (primary)`;
  return descriptionChars > base.length ? `${base} ${"site link to the partner's data centre ".repeat(Math.ceil(descriptionChars / 40))}`.slice(0, descriptionChars) : base;
}

function ipsecBody(controllerIndex) {
  const response = {};
  for (let t = 1; t <= tunnelsPerController; t += 1) {
    const connected = t % 7 !== 0; // every seventh tunnel is down, so both values flow through
    response[String(t)] = {
      id: t,
      local_subnet: "172.16.0.0/24",
      remote_subnet: `10.${controllerIndex % 256}.${t % 256}.${Math.floor(t / 256) % 256}/32`,
      endpointid: t,
      endpoint_id: t,
      endpoint_name: `partner-${t}`,
      active: true,
      enabled: true,
      bounce: false,
      ping_ipaddress: "",
      ping_interval: 5,
      ping_interface: "eth0",
      description: description(t),
      connected,
      tunnel_params: {
        phase1: connected ? "up" : "down",
        phase2: connected ? "up" : "down",
        ike_version: "IKEv2",
        phase1_cipher: "aes256",
        phase1_prf: "prfsha256",
        phase1_dh_group: "modp2048",
        phase2_algo: "aes256gcm16",
        phase2_hash: "sha256",
        pfs_dh_group: "modp2048",
        nat_t: "no",
        dpd: "yes",
        last_dpd: "12s ago",
        esp_time_remaining: "2890s",
        isakmp_time_remaining: "24790s",
        esp_port: "4500",
        isakmp_port: "500",
        inbound_spi: "c1a2b3d4",
        outbound_spi: "d4c3b2a1",
        bytes_in: String(t * 1000),
        bytes_out: String(t * 2000),
      },
    };
  }
  return JSON.stringify({ response });
}

/**
 * GET /api/status/system as Cohesive's OpenAPI description has it (schema SystemStatus) with the
 * values of the Python SDK's SystemAdminApiData.SystemStatus (tests/vns3/stub_data.py): uptime in
 * seconds, diskinfo rows of strings [device, size, used, avail, "use%", mount, "inode%"], meminfo
 * byte counts as strings. Uptime grows with each answer, as a live controller's does.
 */
const bootedAt = Date.now();
function systemBody() {
  return JSON.stringify({
    response: {
      timestamp_i: Math.floor(Date.now() / 1000),
      vns3_version: "Cohesive Networks VNS3 4.9.0-20200121",
      kernel_version: "Linux 4.4.0-154-generic",
      uptime: 263155 + Math.floor((Date.now() - bootedAt) / 1000),
      loadavg: ["0.00", "0.05", "0.07", "1/328", "20398"],
      diskinfo: [["/dev/nvme0n1p1", "31571570688", "5974278144", "23986741248", "20%", "/", "13%"]],
      meminfo: ["8264527872", "4446773248", "3817754624", "90910720", "241074176", "3327860736", "877838336", "7386689536"],
      swapinfo: ["1073737728", "0", "1073737728"],
    },
  });
}

function subnetsBody(controllerIndex, verbose) {
  const response = Array.from({ length: tunnelsPerController }, (_, i) => {
    const network = `10.${controllerIndex % 256}.${(i + 1) % 256}.${Math.floor((i + 1) / 256) % 256}`;
    return verbose ? { subnet: `${network}/32`, network, cidr_mask: "32", netmask: "255.255.255.255", managerid: 1, origin: "ipsec" } : [network, "255.255.255.255"];
  });
  return JSON.stringify({ response });
}

const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

const stats = { requests: 0, bytes: 0, handshakes: 0 };
const servers = [];
const ports = [];
const ipsecBytes = [];
for (let i = 0; i < controllers; i += 1) {
  const bodies = { ipsec: ipsecBody(i), subnets: subnetsBody(i, false), subnetsVerbose: subnetsBody(i, true) };
  ipsecBytes.push(Buffer.byteLength(bodies.ipsec));
  const server = https.createServer({ key: cert.key, cert: cert.cert }, async (req, res) => {
    await delay(latencyMs);
    const headers = { "content-type": "application/json", ...(connections === "close" ? { connection: "close" } : {}) };
    if (req.headers.authorization !== expectedAuth) return void res.writeHead(401, headers).end('{"error":{"message":"Authentication failed"}}');
    const url = new URL(req.url ?? "/", "https://vns3.invalid");
    const body =
      url.pathname === "/api/status/ipsec"
        ? bodies.ipsec
        : url.pathname === "/api/status/connected_subnets"
          ? url.searchParams.get("extended_output") === "true"
            ? bodies.subnetsVerbose
            : bodies.subnets
          : url.pathname === "/api/status/system"
            ? systemBody()
            : undefined;
    if (body === undefined) res.writeHead(404, headers).end('{"error":{"message":"Not found"}}');
    else res.writeHead(200, headers).end(body);
  });
  if (connections === "keep") server.keepAliveTimeout = KEEP_IDLE_MS;
  server.on("secureConnection", () => (stats.handshakes += 1));
  servers.push(server);
  ports.push(await listen(server));
}

const intake = http.createServer((req, res) => {
  let bytes = 0;
  req.on("data", (chunk) => (bytes += chunk.length));
  req.on("end", async () => {
    stats.requests += 1;
    stats.bytes += bytes;
    await delay(latencyMs);
    res.writeHead(202, { "content-type": "application/json" }).end('{"errors":[]}');
  });
});
intake.keepAliveTimeout = KEEP_IDLE_MS;
servers.push(intake);
const intakePort = await listen(intake);

process.on("message", (message) => {
  if (message.type === "stats") process.send({ type: "stats", ...stats });
  else if (message.type === "reset") {
    stats.requests = 0;
    stats.bytes = 0;
    stats.handshakes = 0;
    process.send({ type: "reset" });
  } else if (message.type === "close") {
    for (const server of servers) {
      server.closeAllConnections?.();
      server.close();
    }
    process.disconnect();
  }
});
process.send({ type: "ready", ports, intakePort, ipsecBytes });
