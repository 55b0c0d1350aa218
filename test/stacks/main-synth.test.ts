/**
 * The app as operators run it: `node --import tsx main.ts` over a folder of definitions. A bad
 * definition fails with a message naming the file and the field, and writes nothing; a good
 * synth carries no secret anywhere in its output.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { stringify } from "yaml";
import type { EnvironmentInput } from "../../contract/definition/schema";
import { baseDefinition } from "../helpers/synth";

const ROOT = path.resolve(__dirname, "../..");
const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function environmentsDir(files: Record<string, EnvironmentInput | string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "envs-"));
  scratch.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), typeof content === "string" ? content : stringify(content));
  return dir;
}

function synth(dir: string, extraEnv: Record<string, string> = {}) {
  const outDir = path.join(mkdtempSync(path.join(tmpdir(), "synth-out-")), "cdktf.out");
  scratch.push(path.dirname(outDir));
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, VPN_MONITOR_ENVIRONMENTS_DIR: dir, CDKTF_OUTDIR: outDir, ...extraEnv },
    encoding: "utf8",
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, outDir };
}

const valid = baseDefinition();
const label = (dir: string, file: string) => path.relative(ROOT, path.join(dir, file));

describe("a bad definition stops synth before anything is written", () => {
  const cases: [string, (d: EnvironmentInput) => unknown, string][] = [
    ["a missing field", ({ aws: _aws, ...rest }) => rest, "aws is required"],
    ["a bad security group id", (d) => ({ ...d, controllers: [{ ...d.controllers[0], securityGroupId: "sg-12" }] }), 'controllers[0].securityGroupId "sg-12" is not a security group id (expected sg- followed by 8 or 17 hex digits)'],
    ["a bad subnet id", (d) => ({ ...d, aws: { ...d.aws, subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-xyz"] } }), 'aws.subnetIds[1] "subnet-xyz" is not a subnet id'],
    ["an http webhook URL", (d) => ({ ...d, ticketing: { webhookUrl: "http://tickets.example.com/hook" } }), 'ticketing.webhookUrl "http://tickets.example.com/hook" must be an https:// URL'],
    ["an unknown Datadog site", (d) => ({ ...d, datadog: { ...d.datadog, site: "US9" } }), 'datadog.site "US9" must be one of US1 (datadoghq.com), US3 (us3.datadoghq.com), US5 (us5.datadoghq.com), EU (datadoghq.eu), AP1 (ap1.datadoghq.com), AP2 (ap2.datadoghq.com), GOV (ddog-gov.com)'],
    ["a window Datadog does not accept", (d) => ({ ...d, monitor: { windowMinutes: 7 } }), "monitor.windowMinutes 7 is not a window Datadog accepts (expected one of 1, 5, 10, 15, 30, 60, 120, 240, 1440)"],
    ["a misspelt field", (d) => ({ ...d, monitor: { windowMinute: 10 } }), 'monitor.windowMinute is not a known field (did you mean "windowMinutes"?)'],
    ["a region that does not exist", (d) => ({ ...d, aws: { ...d.aws, region: "eu-west-4" } }), 'aws.region "eu-west-4" is not an AWS region (expected one of the 40 regions'],
    [
      "a secret ARN without its suffix",
      (d) => ({ ...d, controllers: [{ ...d.controllers[0], secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme-prod/vns3-a" }] }),
      'controllers[0].secretArn "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme-prod/vns3-a" lacks the six characters Secrets Manager appends',
    ],
  ];

  it.each(cases)("%s", (_name, mutate, expected) => {
    const dir = environmentsDir({ "acme-prod.yaml": stringify(mutate(valid)), "good-one.yaml": { ...valid, name: "good-one", ticketing: { webhookUrl: "https://t.example.com/h" } } });

    const { status, stderr, outDir } = synth(dir);

    expect(status).toBe(1);
    expect(stderr).toContain(`${label(dir, "acme-prod.yaml")}: ${expected}`);
    expect(existsSync(outDir)).toBe(false);
  });

  it("two files with the same name", () => {
    const dir = environmentsDir({ "acme-prod.yaml": valid, "acme-prod.yml": valid });

    const { status, stderr, outDir } = synth(dir);

    expect(status).toBe(1);
    expect(stderr).toContain(`${label(dir, "acme-prod.yml")}: name "acme-prod" is already used by ${label(dir, "acme-prod.yaml")}`);
    expect(existsSync(outDir)).toBe(false);
  });

  it("a file that is not YAML, reported with its line", () => {
    const dir = environmentsDir({ "acme-prod.yaml": "name: acme-prod\naws: [unclosed\n" });

    const { status, stderr, outDir } = synth(dir);

    expect(status).toBe(1);
    expect(stderr).toMatch(new RegExp(`${label(dir, "acme-prod.yaml").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+: `));
    expect(existsSync(outDir)).toBe(false);
  });
});

describe("a good synth", () => {
  const CANARIES = {
    DD_API_KEY: "canary-dd-api-key-5b0e1f",
    DD_APP_KEY: "canary-dd-app-key-77c2aa",
    TF_VAR_webhook_secret_ACME_TICKET_TOKEN: "canary-ticket-token-9d41",
    AWS_SECRET_ACCESS_KEY: "canary-aws-secret-0c3e",
  };
  let outDir: string;
  let dirOfDefinitions: string;
  let summary: string;

  beforeAll(() => {
    const dir = environmentsDir({
      "acme-prod.yaml": {
        ...valid,
        ticketing: { webhookUrl: "https://t.example.com/h", secretVariables: ["ACME_TICKET_TOKEN"], customHeaders: { Authorization: "Bearer $ACME_TICKET_TOKEN" } },
      },
      "acme-dr.yaml": { ...valid, name: "acme-dr", monitor: { mode: "partner" } },
    });
    dirOfDefinitions = dir;
    const result = synth(dir, CANARIES);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    outDir = result.outDir;
    summary = result.stdout;
  });

  it("says what it wrote, in one line (npm run synth runs the app directly: no cdktf CLI summary)", () => {
    expect(summary).toBe(`Synthesized 3 stack(s) into ${path.relative(ROOT, outDir)}/: vpn-monitor-acme-dr, vpn-monitor-acme-prod, vpn-monitor-fleet\n`);
  });

  function allFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? allFiles(full) : [full];
    });
  }

  it("writes one stack per environment, with the Lambda archive", () => {
    expect(readdirSync(path.join(outDir, "stacks")).sort()).toEqual(["vpn-monitor-acme-dr", "vpn-monitor-acme-prod", "vpn-monitor-fleet"]);
    const archives = allFiles(outDir).filter((f) => f.endsWith("checker.zip"));
    expect(archives).toHaveLength(2);
    // Both stacks carry the same deterministic package: the bundle and its source map, nothing else.
    expect(readFileSync(archives[0]!).equals(readFileSync(archives[1]!))).toBe(true);
    const entries = unzipSync(readFileSync(archives[0]!));
    expect(Object.keys(entries).sort()).toEqual(["index.js", "index.js.map"]);
    expect(Buffer.from(entries["index.js"]!).toString("utf8")).toContain("sourceMappingURL=index.js.map");
  });

  it("contains no secret anywhere under the output, zipped code included", () => {
    const files = allFiles(outDir);
    const contents = files.flatMap((file) =>
      file.endsWith(".zip")
        ? Object.entries(unzipSync(readFileSync(file))).map(([entry, bytes]) => ({ file: `${file}!${entry}`, text: Buffer.from(bytes).toString("latin1") }))
        : [{ file, text: readFileSync(file).toString("latin1") }],
    );
    for (const { file, text: content } of contents) {
      for (const canary of Object.values(CANARIES)) expect({ file, found: content.includes(canary) }).toEqual({ file, found: false });
    }
    for (const file of files.filter((f) => f.endsWith("cdk.tf.json"))) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toMatch(/"(password|apiToken|api_key|app_key|secret_string)"/);
      expect(text).not.toMatch(/\\"(password|apiToken|username)\\"/);
    }
  });

  it("writes the same Terraform JSON whether or not cdktf records token stack traces", () => {
    // main.ts skips cdktf's per-token stack traces for speed (stacks/token-stack-traces.ts); the
    // output must not depend on them.
    const traced = synth(dirOfDefinitions, { ...CANARIES, VPN_MONITOR_TOKEN_STACK_TRACES: "1" });
    expect(traced.status).toBe(0);
    const stacks = readdirSync(path.join(outDir, "stacks")).sort();
    expect(readdirSync(path.join(traced.outDir, "stacks")).sort()).toEqual(stacks);
    for (const stack of stacks) {
      const json = (dir: string) => readFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "utf8");
      expect(json(traced.outDir)).toBe(json(outDir));
    }
  });
});
