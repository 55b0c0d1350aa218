/**
 * `npm run onboard` through its command line: as a real process without a terminal (stdin a
 * pipe), and in-process through `main()` for the many refusal cases.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../cli/onboard";
import { loadEnvironments } from "../../stacks/environment/load";
import { memoryIo, ROOT, runCli, tempDir } from "./support/cli-harness";

const FP_A = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";
const FP_B_RAW = "a4d2e81c07f35b9960c1de4a8b27f3105e6cd9a07b4f2e81c35d69a0f7b2c418";
const FP_B = "A4:D2:E8:1C:07:F3:5B:99:60:C1:DE:4A:8B:27:F3:10:5E:6C:D9:A0:7B:4F:2E:81:C3:5D:69:A0:F7:B2:C4:18";
const SECRET_B = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme/vns3-b-AbCdEf";

/** Every required flag, one controller; tests drop or replace entries. */
const REQUIRED: Record<string, string> = {
  "--name": "acme-prod",
  "--region": "eu-west-1",
  "--vpc": "vpc-0a1b2c3d4e5f60718",
  "--subnets": "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002",
  "--controller": `name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A}`,
  "--site": "EU",
  "--webhook-url": "https://tickets.acme.example/api/datadog",
};

function args(flags: Record<string, string>, dir: string, extra: string[] = []): string[] {
  return [...Object.entries(flags).flatMap(([k, v]) => [k, v]), "--dir", dir, ...extra];
}

function copyExamples(dir: string): void {
  for (const f of ["example-simple.yaml", "example-multi.yaml"]) fs.copyFileSync(path.join(ROOT, "environments", f), path.join(dir, f));
}

const FULL_YAML = `# Environment acme-prod, written by \`npm run onboard\`; edit it by hand from here on.
# Multi-alert mode: one alert (one ticket) per tunnel.
name: acme-prod

aws:
  region: eu-west-1
  vpcId: vpc-0a1b2c3d4e5f60718
  # Private subnets with a route to Datadog and Secrets Manager (NAT gateway or VPC endpoints).
  subnetIds:
    - subnet-0a1b2c3d4e5f60001
    - subnet-0a1b2c3d4e5f60002
  tags:
    customer: acme
    cost-center: "1234"

# State in S3 with S3-native locking.
backend:
  type: s3
  bucket: acme-terraform-state
  region: us-east-1

controllers:
  - name: vns3-a
    host: 10.0.1.10
    port: 8000
    securityGroupId: sg-0a1b2c3d4e5f60101
    # No secretArn: the stack creates the secret vpn-monitor/acme-prod/vns3-a;
    # fill it with {"username":"api","password":"…"} or {"apiToken":"…"}.
    # Pin the controller's self-signed certificate: \`npm run fingerprint -- 10.0.1.10\`
    tlsSha256: "${FP_A}"
  - name: vns3-b
    host: vns3-b.acme.internal
    port: 8443
    securityGroupId: sg-0a1b2c3d4e5f60102
    secretArn: ${SECRET_B}
    # Pin the controller's self-signed certificate: \`npm run fingerprint -- vns3-b.acme.internal 8443\`
    tlsSha256: "${FP_B}"

datadog:
  site: EU
  # No apiKeySecretArn: the stack creates the secret vpn-monitor/acme-prod/datadog-api-key; put the bare API key in it.

monitor:
  mode: multi
  windowMinutes: 10
  priority: 2
  message: "@slack-net: runbook #3"

ticketing:
  webhookUrl: https://tickets.acme.example/api/datadog
  webhookName: acme-tickets
  # Values are sensitive Terraform variables at deploy time, never in this file:
  #   TF_VAR_webhook_secret_ACME_TICKET_TOKEN=… npx cdktf deploy vpn-monitor-acme-prod
  secretVariables:
    - ACME_TICKET_TOKEN
  customHeaders:
    Authorization: "Bearer $ACME_TICKET_TOKEN"
`;

describe("npm run onboard (real process, no terminal)", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    copyExamples(tmp.dir);
  });
  afterEach(() => tmp.remove());

  it("writes a definition that loadEnvironments accepts, in the examples' layout, and prints the next steps", async () => {
    // Prepare
    const argv = [
      ...args(REQUIRED, tmp.dir),
      "--controller",
      `name=vns3-b,host=vns3-b.acme.internal,port=8443,sg=sg-0a1b2c3d4e5f60102,secret=${SECRET_B},fingerprint=${FP_B_RAW}`,
      "--mode",
      "multi",
      "--window",
      "10",
      "--priority",
      "2",
      "--message",
      "@slack-net: runbook #3",
      "--webhook-name",
      "acme-tickets",
      "--secret-variable",
      "ACME_TICKET_TOKEN",
      "--header",
      "Authorization=Bearer $ACME_TICKET_TOKEN",
      "--tag",
      "customer=acme",
      "--tag",
      "cost-center=1234",
      "--s3-bucket",
      "acme-terraform-state",
      "--s3-region",
      "us-east-1",
    ];

    // Act
    const run = await runCli("cli/onboard.ts", argv);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const file = path.join(tmp.dir, "acme-prod.yaml");
    expect(fs.readFileSync(file, "utf8")).toBe(FULL_YAML);
    const loaded = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod");
    expect(loaded?.definition.controllers.map((c) => [c.name, c.tlsSha256, c.secretArn])).toEqual([
      ["vns3-a", FP_A, undefined],
      ["vns3-b", FP_B, SECRET_B],
    ]);
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(["acme-prod.yaml", "example-multi.yaml", "example-simple.yaml"]);

    expect(run.stdout).toContain(`Wrote ${file}\n`);
    // Secrets: the stack-created ones by name, the given one by ARN, values as placeholders only.
    expect(run.stdout).toContain(
      "aws secretsmanager put-secret-value --region eu-west-1 --secret-id vpn-monitor/acme-prod/vns3-a \\\n" +
        `       --secret-string '{"username":"api","password":"<VNS3 API password>"}'`,
    );
    expect(run.stdout).toContain("--secret-id vpn-monitor/acme-prod/datadog-api-key \\\n       --secret-string '<Datadog API key>'");
    expect(run.stdout).toContain(`aws secretsmanager put-secret-value --region eu-west-1 --secret-id ${SECRET_B} \\`);
    expect(run.stdout).not.toContain("vpn-monitor/acme-prod/vns3-b");
    expect(run.stdout).toContain(`npm run fingerprint -- 10.0.1.10 8000     # must show ${FP_A}`);
    expect(run.stdout).toContain(`npm run fingerprint -- vns3-b.acme.internal 8443     # must show ${FP_B}`);
    expect(run.stdout).toContain("export DD_API_KEY=<Datadog API key> DD_APP_KEY=<Datadog application key>");
    expect(run.stdout).toContain("export TF_VAR_webhook_secret_ACME_TICKET_TOKEN=<value of ACME_TICKET_TOKEN>");
    expect(run.stdout).toContain("npx cdktf deploy vpn-monitor-acme-prod");
    expect(run.stdout).toContain("VNS3_VNS3_A_PASSWORD=… VNS3_VNS3_B_PASSWORD=… npm run check -- acme-prod");
    expect(run.stdout).toContain("npm run check -- acme-prod --send");
    expect(run.stdout).toContain("Test Notifications");
    expect(run.stdout).toContain("(webhook acme-tickets)");
  });

  it("fails naming the missing flag and writes nothing", async () => {
    const { "--vpc": _vpc, ...flags } = REQUIRED;

    const run = await runCli("cli/onboard.ts", args(flags, tmp.dir));

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: missing --vpc (the VPC id the checker runs in)\n");
    expect(run.stderr).toContain("Nothing was written.");
    expect(run.stdout).toBe("");
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(["example-multi.yaml", "example-simple.yaml"]);
  });
});

describe("npm run onboard (in-process, no terminal)", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    copyExamples(tmp.dir);
  });
  afterEach(() => tmp.remove());

  const filesIn = () => fs.readdirSync(tmp.dir).sort();

  it.each([
    ["--name", "missing --name (the environment name"],
    ["--region", "missing --region (the AWS region of the VPC"],
    ["--vpc", "missing --vpc (the VPC id the checker runs in)"],
    ["--subnets", "missing --subnets (private subnet ids"],
    ["--controller", "missing --controller (name=…,host=…,sg=…,fingerprint=…"],
    ["--site", "missing --site (the Datadog site: US1 (datadoghq.com), US3 (us3.datadoghq.com), US5 (us5.datadoghq.com), EU (datadoghq.eu), AP1 (ap1.datadoghq.com), AP2 (ap2.datadoghq.com), GOV (ddog-gov.com))"],
    ["--webhook-url", "missing --webhook-url (the https:// endpoint of the ticketing system)"],
  ])("without %s exits 1 naming it and writes nothing", async (flag, message) => {
    const flags = { ...REQUIRED };
    delete flags[flag];
    const io = memoryIo();

    const code = await main(args(flags, tmp.dir), io);

    expect(code).toBe(1);
    expect(io.err()).toContain(`error: ${message}`);
    expect(io.err().match(/error: missing/g)).toHaveLength(1);
    expect(filesIn()).toEqual(["example-multi.yaml", "example-simple.yaml"]);
  });

  it.each([
    ["sg=", `name=vns3-a,host=10.0.1.10,fingerprint=${FP_A}`, "missing sg= in --controller #1 (its security group id)"],
    ["fingerprint=", "name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101", "missing fingerprint= in --controller #1 (its certificate's SHA-256: npm run fingerprint -- <host>)"],
    ["host=", `name=vns3-a,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A}`, "missing host= in --controller #1"],
  ])("a --controller without %s is refused, naming the key", async (_key, spec, message) => {
    const io = memoryIo();

    const code = await main(args({ ...REQUIRED, "--controller": spec }, tmp.dir), io);

    expect(code).toBe(1);
    expect(io.err()).toContain(`error: ${message}`);
    expect(filesIn()).toEqual(["example-multi.yaml", "example-simple.yaml"]);
  });

  it.each([
    ["a bad security group id", { "--controller": `name=vns3-a,host=10.0.1.10,sg=sg-xyz,fingerprint=${FP_A}` }, `controllers[0].securityGroupId "sg-xyz" is not a security group id [--controller #1 sg=]`],
    ["an http webhook", { "--webhook-url": "http://tickets.acme.example/hook" }, `ticketing.webhookUrl "http://tickets.acme.example/hook" must be an https:// URL without credentials in it [--webhook-url]`],
    ["a bad fingerprint", { "--controller": "name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=3F:1A:9C" }, `controllers[0].tlsSha256 "3F:1A:9C" is not a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's \`sha256 Fingerprint=\` prefix is fine) [--controller #1 fingerprint=]`],
    ["a bad VPC id", { "--vpc": "vpc-12" }, `aws.vpcId "vpc-12" is not a VPC id [--vpc]`],
    ["a window Datadog does not accept", { "--window": "7" }, "monitor.windowMinutes 7 is not a window Datadog accepts"],
  ])("refuses %s, naming the field and the flag, and writes nothing", async (_what, override, message) => {
    const io = memoryIo();

    const code = await main(args({ ...REQUIRED, ...override }, tmp.dir), io);

    expect(code).toBe(1);
    expect(io.err()).toContain(`error: ${path.join(tmp.dir, "acme-prod.yaml")}: ${message}`);
    expect(io.err()).toContain("Nothing was written.");
    expect(io.out()).toBe("");
    expect(filesIn()).toEqual(["example-multi.yaml", "example-simple.yaml"]);
  });

  it("refuses to overwrite an existing file and leaves it untouched", async () => {
    const file = path.join(tmp.dir, "acme-prod.yaml");
    fs.writeFileSync(file, "# hand-written, not even valid\n");
    const io = memoryIo();

    const code = await main(args(REQUIRED, tmp.dir), io);

    expect(code).toBe(1);
    expect(io.err()).toContain(`error: ${file} already exists: onboard never overwrites a definition`);
    expect(fs.readFileSync(file, "utf8")).toBe("# hand-written, not even valid\n");
  });

  it("refuses a name that another extension already holds", async () => {
    fs.writeFileSync(path.join(tmp.dir, "acme-prod.json"), "{}");
    const io = memoryIo();

    const code = await main(args(REQUIRED, tmp.dir), io);

    expect(code).toBe(1);
    expect(io.err()).toContain(`${path.join(tmp.dir, "acme-prod.json")} already exists`);
    expect(fs.existsSync(path.join(tmp.dir, "acme-prod.yaml"))).toBe(false);
  });

  it("refuses an environment name in use, leaving that file untouched", async () => {
    const before = fs.readFileSync(path.join(tmp.dir, "example-simple.yaml"), "utf8");
    const io = memoryIo();

    const code = await main(args({ ...REQUIRED, "--name": "example-simple" }, tmp.dir), io);

    expect(code).toBe(1);
    expect(io.err()).toContain("example-simple.yaml already exists");
    expect(fs.readFileSync(path.join(tmp.dir, "example-simple.yaml"), "utf8")).toBe(before);
  });

  it("refuses a webhook name and a secret variable that another environment claims", async () => {
    const io = memoryIo();

    const code = await main(
      args({ ...REQUIRED, "--webhook-name": "vpn-tickets-example-multi" }, tmp.dir, [
        "--secret-variable",
        "EXAMPLE_MULTI_TICKET_TOKEN",
        "--header",
        "Authorization=Bearer $EXAMPLE_MULTI_TICKET_TOKEN",
      ]),
      io,
    );

    expect(code).toBe(1);
    const file = path.join(tmp.dir, "acme-prod.yaml");
    expect(io.err()).toContain(`error: ${file}: ticketing.webhookName "vpn-tickets-example-multi" is already used by ${path.join(tmp.dir, "example-multi.yaml")}`);
    expect(io.err()).toContain(`error: ${file}: ticketing.secretVariables "EXAMPLE_MULTI_TICKET_TOKEN" is already used by ${path.join(tmp.dir, "example-multi.yaml")}`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("applies the documented defaults: simple mode, 5-minute window, local state, stack-created secrets", async () => {
    const io = memoryIo();

    const code = await main(args(REQUIRED, tmp.dir), io);

    expect(code).toBe(0);
    const text = fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8");
    expect(text).toContain("# Simple-alert mode: one alert (one ticket) when any tunnel drops.\n");
    expect(text).toContain("monitor:\n  mode: simple\n  windowMinutes: 5\n\nticketing:\n  webhookUrl: https://tickets.acme.example/api/datadog\n");
    expect(text).not.toContain("backend:");
    expect(text).not.toMatch(/^\s*(secretArn|apiKeySecretArn):/m);
    const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition;
    expect(def?.backend).toEqual({ type: "local" });
    expect(def?.controllers[0]?.port).toBe(8000);
    expect(def?.ticketing.webhookName).toBeUndefined();
    expect(io.out()).toContain("vpn-monitor/acme-prod/vns3-a");
    expect(io.out()).not.toContain("TF_VAR_webhook_secret_");
  });

  it("rejects an unknown --controller key before anything else", async () => {
    const io = memoryIo();

    const code = await main(args({ ...REQUIRED, "--controller": `name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A},password=hunter2` }, tmp.dir), io);

    expect(code).toBe(1);
    expect(io.err()).toContain('--controller #1: unknown key "password"; expected name=, host=, port=, sg=, secret=, fingerprint=');
    expect(io.err()).not.toContain("hunter2");
    expect(filesIn()).toEqual(["example-multi.yaml", "example-simple.yaml"]);
  });

  it("writes into an empty or missing folder", async () => {
    const dir = path.join(tmp.dir, "fresh", "environments");
    const io = memoryIo();

    const code = await main(args(REQUIRED, dir), io);

    expect(code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(["acme-prod.yaml"]);
    expect(loadEnvironments(dir)).toHaveLength(1);
  });
});
