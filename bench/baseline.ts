/**
 * The design this product replaces, rebuilt for the benchmark: the 2017 Python checker read the
 * controllers one after another and sent one Datadog metric request per tunnel, each over a new
 * connection (`requests.get`/`api.Metric.send` without a session). Only its shape is kept; TLS here
 * trusts the stand-in's certificate instead of switching verification off.
 */
import * as http from "node:http";
import * as https from "node:https";

export interface BaselineController {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** PEM certificate of the stand-in, trusted as CA. */
  readonly ca: string;
}

export interface BaselineResult {
  readonly datadogRequests: number;
  readonly tunnels: number;
}

function getJson(controller: BaselineController, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      {
        host: controller.host,
        port: controller.port,
        path,
        ca: controller.ca,
        agent: false,
        auth: `${controller.username}:${controller.password}`,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on("error", reject);
  });
}

function postMetric(datadogUrl: URL, apiKey: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: datadogUrl.hostname,
        port: datadogUrl.port,
        path: "/api/v1/series",
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "dd-api-key": apiKey, "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve());
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** One check the 2017 way: controller after controller, a metric request per tunnel. */
export async function runBaselineCheck(
  environment: string,
  controllers: readonly BaselineController[],
  datadogUrl: URL,
  apiKey: string,
): Promise<BaselineResult> {
  let datadogRequests = 0;
  let tunnels = 0;
  for (const controller of controllers) {
    const status = (await getJson(controller, "/api/status/ipsec")) as { response: Record<string, { description: string; connected: boolean }> };
    // The original also read the connected subnets, after the tunnels, for its unmatched-subnet report.
    await getJson(controller, "/api/status/connected_subnets");
    for (const [id, tunnel] of Object.entries(status.response)) {
      const body = JSON.stringify({
        series: [
          {
            metric: "vpn.tunnel.status",
            points: [[Math.floor(Date.now() / 1000), tunnel.connected ? 1 : 0]],
            type: "gauge",
            tags: [`vpn_environment:${environment}`, `tunnel:${tunnel.description || id}`],
          },
        ],
      });
      await postMetric(datadogUrl, apiKey, body);
      datadogRequests += 1;
      tunnels += 1;
    }
  }
  return { datadogRequests, tunnels };
}
