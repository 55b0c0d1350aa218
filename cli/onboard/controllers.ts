/**
 * `--controller name=…,host=…,sg=…,fingerprint=…[,secret=…][,port=…]`: one table of keys, from
 * which the flag's parse, its "missing" messages, the controller questions and the equivalent
 * command line are all derived.
 */
import { DEFAULT_VNS3_API_PORT } from "../../contract/vns3";
import { suggestion } from "../shared/args";
import type { ControllerAnswer, ControllerDraft, Problem, Read } from "./answers";
import { EXPECTED, readControllerName, readControllerSecretArn, readCredentialExpires, readFingerprint, readHost, readPort, readSecurityGroupId } from "./fields";

/** One key of a `--controller` value. */
export interface ControllerKey {
  readonly key: "name" | "host" | "port" | "sg" | "secret" | "fingerprint" | "expires";
  readonly field: keyof ControllerAnswer;
  readonly expected: string;
  /** Must be given (else the flag is incomplete). */
  readonly required: boolean;
  /** The question, after `Controller <n>: `. */
  readonly question: string;
  /** Reads the text into the draft; problems name the key. */
  readonly apply: (draft: ControllerDraft, text: string) => readonly Problem[];
}

function applying<T>(read: (text: string) => Read<T>, set: (draft: ControllerDraft, value: T) => void) {
  return (draft: ControllerDraft, text: string): readonly Problem[] => {
    const result = read(text);
    if (!result.ok) return result.problems;
    set(draft, result.value);
    return [];
  };
}

export const CONTROLLER_KEYS: readonly ControllerKey[] = [
  {
    key: "name",
    field: "name",
    expected: EXPECTED.controllerName,
    required: true,
    question: "short name (the controller tag, e.g. vns3-primary)",
    apply: applying(readControllerName, (d, v) => (d.name = v)),
  },
  {
    key: "host",
    field: "host",
    expected: EXPECTED.host,
    required: true,
    question: "private IP or DNS name of its API (host or host:port)",
    apply: (draft, text) => {
      const result = readHost(text);
      if (!result.ok) return result.problems;
      draft.host = result.value.host;
      if (result.value.port === undefined) return [];
      if (draft.port !== undefined && draft.port !== result.value.port) return [{ value: text.trim(), detail: `gives port ${result.value.port}, but port= says ${draft.port}` }];
      draft.port = result.value.port;
      return [];
    },
  },
  {
    key: "port",
    field: "port",
    expected: `${EXPECTED.port} (default ${DEFAULT_VNS3_API_PORT})`,
    required: false,
    question: "API port",
    apply: (draft, text) => {
      const result = readPort(text);
      if (!result.ok) return result.problems;
      if (draft.port !== undefined && draft.port !== result.value) return [{ value: text.trim(), detail: `differs from the port in host= (${draft.port})` }];
      draft.port = result.value;
      return [];
    },
  },
  {
    key: "sg",
    field: "securityGroupId",
    expected: EXPECTED.securityGroupId,
    required: true,
    question: "its security group id (the stack adds one ingress rule to it)",
    apply: applying(readSecurityGroupId, (d, v) => (d.securityGroupId = v)),
  },
  {
    key: "secret",
    field: "secretArn",
    expected: `${EXPECTED.secretArn} (default: the stack creates vpn-monitor/<env>/<name>)`,
    required: false,
    question: "ARN of the secret with its API credentials (empty: the stack creates vpn-monitor/<env>/<name>)",
    apply: applying(readControllerSecretArn, (d, v) => (d.secretArn = v)),
  },
  {
    key: "fingerprint",
    field: "tlsSha256",
    expected: `${EXPECTED.fingerprint}; npm run fingerprint -- <host> prints it`,
    required: true,
    question: "SHA-256 fingerprint of its certificate",
    apply: applying(readFingerprint, (d, v) => (d.tlsSha256 = v)),
  },
  {
    key: "expires",
    field: "credentialExpires",
    expected: `${EXPECTED.credentialExpires} (default: not recorded)`,
    required: false,
    question: "date its API token expires, YYYY-MM-DD (empty: not recorded; VNS3 tokens last at most a year unless refreshed)",
    apply: applying(readCredentialExpires, (d, v) => (d.credentialExpires = v)),
  },
];

/** The flag's own format, for help and errors. */
export const CONTROLLER_FORMAT = "name=…,host=…[:port],sg=…,fingerprint=…[,secret=<ARN>][,port=…][,expires=YYYY-MM-DD]";

/** Reads one `--controller` value. Problems carry `where: #<n> <key>=`. */
export function readControllerSpec(spec: string, index: number): { draft: ControllerDraft; problems: Problem[] } {
  const draft: ControllerDraft = {};
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const keys = CONTROLLER_KEYS.map((k) => k.key as string);
  // port= first, so that host=…:port can be compared with it whichever comes first.
  const parts = spec.split(",").filter((p) => p.trim() !== "");
  const ordered = [...parts.filter((p) => p.trim().startsWith("port=")), ...parts.filter((p) => !p.trim().startsWith("port="))];
  for (const part of ordered) {
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const key = CONTROLLER_KEYS.find((k) => k.key === name);
    if (eq < 0 || key === undefined) {
      // Only the key is quoted, never the rest: a misplaced value could be a password.
      const guess = eq < 0 ? undefined : suggestion(name, keys);
      const what = eq < 0 ? "a part without key=" : `unknown key ${JSON.stringify(name)}${guess !== undefined ? ` (did you mean ${guess}=?)` : ""}`;
      problems.push({ where: `#${index + 1}`, detail: `${what}; expected ${CONTROLLER_FORMAT}` });
      continue;
    }
    if (seen.has(name)) problems.push({ where: `#${index + 1} ${name}=`, detail: "is given twice" });
    seen.add(name);
    for (const problem of key.apply(draft, part.slice(eq + 1))) problems.push({ ...problem, where: `#${index + 1} ${name}=` });
  }
  return { draft, problems };
}

/** Required keys a controller still lacks. */
export function missingControllerKeys(draft: ControllerDraft): ControllerKey[] {
  return CONTROLLER_KEYS.filter((k) => k.required && draft[k.field] === undefined);
}

/** A complete controller, defaults applied; undefined while a required key is missing. */
export function completeController(draft: ControllerDraft): ControllerAnswer | undefined {
  if (missingControllerKeys(draft).length > 0) return undefined;
  return {
    name: draft.name as string,
    host: draft.host as string,
    port: draft.port ?? DEFAULT_VNS3_API_PORT,
    securityGroupId: draft.securityGroupId as string,
    secretArn: draft.secretArn ?? null,
    tlsSha256: draft.tlsSha256 as string,
    ...(draft.fingerprintConfirmed === true ? { fingerprintConfirmed: true } : {}),
    ...(typeof draft.credentialExpires === "string" ? { credentialExpires: draft.credentialExpires } : {}),
  };
}

/** The `--controller` value that gives this controller back. */
export function controllerSpec(c: ControllerAnswer): string {
  const parts = [`name=${c.name}`, `host=${c.host}`];
  if (c.port !== DEFAULT_VNS3_API_PORT) parts.push(`port=${c.port}`);
  parts.push(`sg=${c.securityGroupId}`);
  if (c.secretArn !== null) parts.push(`secret=${c.secretArn}`);
  parts.push(`fingerprint=${c.tlsSha256}`);
  if (typeof c.credentialExpires === "string") parts.push(`expires=${c.credentialExpires}`);
  return parts.join(",");
}
