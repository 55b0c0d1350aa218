// The benchmark's loopback stand-ins (VNS3 controllers over HTTPS, a Datadog intake over HTTP),
// run in a worker thread. Real controllers are other machines: serving their TLS handshakes on the
// same event loop as the checker under test would bill the servers' CPU to the checker.
//
// Plain JavaScript so the worker starts without a TypeScript loader. Protocol (messages):
//   in:  workerData { controllers, tunnelsPerController, latencyMs, cert: { key, cert }, username, password }
//   out: { type: "ready", ports: number[], intakePort }
//   in:  { type: "stats" }  -> out: { type: "stats", requests, bytes }
//   in:  { type: "reset" }  -> out: { type: "reset" }
//   in:  { type: "close" }  -> closes everything and exits
import * as http from "node:http";
import * as https from "node:https";
import { parentPort, workerData } from "node:worker_threads";

const { controllers, tunnelsPerController, latencyMs, cert, username, password } = workerData;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

function ipsecBody(controllerIndex) {
  const response = {};
  for (let t = 1; t <= tunnelsPerController; t += 1) {
    response[String(t)] = {
      local_subnet: "172.16.0.0/24",
      remote_subnet: `10.${controllerIndex}.${t}.0/24`,
      endpointid: t,
      endpoint_name: `partner-${t}`,
      active: true,
      description: `Partner ${t} (primary)`,
      // Every seventh tunnel is down, so both values flow through.
      connected: t % 7 !== 0,
      tunnel_params: { phase1: "up", phase2: "up", ike_version: "IKEv2" },
    };
  }
  return JSON.stringify({ response });
}

function subnetsBody(controllerIndex) {
  return JSON.stringify({
    response: Array.from({ length: tunnelsPerController }, (_, i) => ({ network: `10.${controllerIndex}.${i + 1}.0/24`, origin: "ipsec" })),
  });
}

const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

const servers = [];
const ports = [];
for (let i = 0; i < controllers; i += 1) {
  const bodies = { "/api/status/ipsec": ipsecBody(i), "/api/status/connected_subnets": subnetsBody(i) };
  const server = https.createServer({ key: cert.key, cert: cert.cert }, async (req, res) => {
    await delay(latencyMs);
    if (req.headers.authorization !== expectedAuth) return void res.writeHead(401).end();
    const body = bodies[(req.url ?? "").split("?")[0]];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  servers.push(server);
  ports.push(await listen(server));
}

const stats = { requests: 0, bytes: 0 };
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
servers.push(intake);
const intakePort = await listen(intake);

parentPort.on("message", (message) => {
  if (message.type === "stats") parentPort.postMessage({ type: "stats", ...stats });
  else if (message.type === "reset") {
    stats.requests = 0;
    stats.bytes = 0;
    parentPort.postMessage({ type: "reset" });
  } else if (message.type === "close") {
    for (const server of servers) {
      server.closeAllConnections?.();
      server.close();
    }
    parentPort.close();
  }
});
parentPort.postMessage({ type: "ready", ports, intakePort });
