/**
 * The few VNS3 requests the push setup makes, pinned like the checker's reads. The checker's client
 * (handler/vns3-client.ts) only GETs, by design: the Lambda must never change a controller. This
 * tool must POST, PUT and DELETE, so it has this small client of its own with the same pinning
 * rule (contract/fingerprint.ts): the TLS connection is opened first, its certificate compared with
 * the pin, and only a matching socket is handed to the HTTP request, so no credential is written to
 * a controller whose certificate does not match. Answers are bounded in size and parsed as JSON.
 */
import * as http from "node:http";
import * as tls from "node:tls";
import { fingerprintsMatch } from "../../contract/fingerprint";
import { vns3AuthHeaders, type Vns3Credentials, type Vns3Target } from "../../handler/vns3-client";

/** Largest answer read from a controller (a webhook list with long bodies is a few KB). */
export const MAX_ADMIN_BODY_BYTES = 1024 * 1024;

/** A controller's answer: status and parsed JSON (undefined when empty or not JSON). */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A request that got no answer (connection, TLS, pin, timeout, size). `message` holds no secret. */
export class AdminRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminRequestError";
  }
}

/** A TLS socket whose certificate matched the pin (or, unpinned, verified against the CAs). */
function openVerified(target: Vns3Target, signal: AbortSignal): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const pinned = target.tlsSha256 !== undefined;
    const socket = tls.connect({ host: target.host, port: target.port, servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host, rejectUnauthorized: !pinned });
    const onAbort = () => {
      socket.destroy();
      reject(new AdminRequestError("no answer within the time budget"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("error", (error: Error) => {
      signal.removeEventListener("abort", onAbort);
      reject(new AdminRequestError(`${(error as { code?: string }).code ?? "error"}: ${error.message}`));
    });
    socket.once("secureConnect", () => {
      signal.removeEventListener("abort", onAbort);
      const actual = socket.getPeerCertificate().fingerprint256 ?? "";
      if (pinned && !fingerprintsMatch(target.tlsSha256 as string, actual)) {
        socket.destroy();
        reject(new AdminRequestError(`the certificate does not match the pinned tlsSha256 (it is ${actual}); nothing was sent`));
        return;
      }
      resolve(socket);
    });
  });
}

/** One request to `https://<host>:<port>/api<path>` with a JSON body (or none). */
export async function adminRequest(target: Vns3Target, credentials: Vns3Credentials, method: "GET" | "POST" | "PUT" | "DELETE", path: string, body: unknown, signal: AbortSignal): Promise<AdminAnswer> {
  if (signal.aborted) throw new AdminRequestError("no answer within the time budget");
  const socket = await openVerified(target, signal);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        createConnection: () => socket,
        method,
        path: `/api${path}`,
        headers: {
          Host: `${target.host}:${target.port}`,
          Accept: "application/json",
          ...vns3AuthHeaders(credentials),
          ...(payload !== undefined ? { "Content-Type": "application/json", "Content-Length": String(payload.length) } : {}),
        },
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ADMIN_BODY_BYTES) {
            response.destroy();
            reject(new AdminRequestError(`the answer to ${method} /api${path} is larger than ${MAX_ADMIN_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => {
          socket.destroy();
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
        response.on("error", (error) => reject(new AdminRequestError(error.message)));
      },
    );
    request.on("error", (error) => {
      socket.destroy();
      reject(new AdminRequestError(error.name === "AbortError" ? "no answer within the time budget" : error.message));
    });
    request.end(payload);
  });
}
