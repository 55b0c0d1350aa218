/**
 * `npm run onboard` through its command line: as a real process without a terminal (stdin a
 * pipe), and in-process through `main()` for the many refusal cases.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../../cli/onboard/main";
import { deployTargets } from "../../../cli/preflight/targets";
import { loadEnvironments } from "../../../stacks/environment/load";
import { memoryIo, runCli, tempDir } from "../../helpers/cli-harness";
import { fixtureEnvironment } from "../../helpers/fixture-environments";

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
  "--state-bucket": "acme-terraform-state",
};

function args(flags: Record<string, string>, dir: string, extra: string[] = []): string[] {
  return [...Object.entries(flags).flatMap(([k, v]) => [k, v]), "--dir", dir, ...extra];
}

function copyExamples(dir: string): void {
  for (const f of ["example-simple.yaml", "example-multi.yaml"]) fs.copyFileSync(fixtureEnvironment(f), path.join(dir, f));
}

const FULL_YAML = `# Environment acme-prod, written by \`npm run onboard\`; edit it by hand from here on.
# Alert mode tunnel: one alert (one ticket) per tunnel.
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
    # Pin the controller's self-signed certificate: \`npm run fingerprint -- vns3-b.acme.internal:8443\`
    tlsSha256: "${FP_B}"

datadog:
  site: EU
  # No apiKeySecretArn: the stack creates the secret vpn-monitor/acme-prod/datadog-api-key; put the bare API key in it.

monitor:
  mode: tunnel
  windowMinutes: 10
  priority: 2
  message: "@slack-net: runbook #3"

ticketing:
  webhookUrl: https://tickets.acme.example/api/datadog
  webhookName: acme-tickets
  # Values never go in this file: the deploy workflow passes them as sensitive Terraform variables
  # from the secrets WEBHOOK_SECRET_ACME_TICKET_TOKEN of the GitHub environment acme-prod_plan.
  secretVariables:
    - ACME_TICKET_TOKEN
  customHeaders:
    Authorization: "Bearer $ACME_TICKET_TOKEN"
`;

const NOTHING = "Nothing was written.\nEvery flag: npm run onboard -- --help\n";

describe("npm run onboard (real process, no terminal)", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    copyExamples(tmp.dir);
  });
  afterEach(() => tmp.remove());

  it("writes a definition that loadEnvironments accepts, in the examples' layout, and prints the next steps", async () => {
    // Prepare: the second controller as host:port, its fingerprint pasted the way openssl prints it.
    const argv = [
      ...args(REQUIRED, tmp.dir),
      "--controller",
      `name=vns3-b,host=vns3-b.acme.internal:8443,sg=sg-0a1b2c3d4e5f60102,secret=${SECRET_B},fingerprint=sha256 Fingerprint=${FP_B_RAW.toUpperCase()}`,
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
      "--state-region",
      "us-east-1",
    ];

    // Act
    const run = await runCli("cli/onboard/main.ts", argv);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const file = path.join(tmp.dir, "acme-prod.yaml");
    expect(fs.readFileSync(file, "utf8")).toBe(FULL_YAML);
    const loaded = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod");
    expect(loaded?.definition.controllers.map((c) => [c.name, c.port, c.tlsSha256, c.secretArn])).toEqual([
      ["vns3-a", 8000, FP_A, undefined],
      ["vns3-b", 8443, FP_B, SECRET_B],
    ]);
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(["acme-prod.yaml", "example-multi.yaml", "example-simple.yaml"]);

    expect(run.stdout).toContain(`Wrote ${file}\n`);
    // Secrets: read without echo, JSON built by jq; never a value or placeholder on a command line.
    expect(run.stdout).toContain(
      "     read -rsp 'API password of vns3-a: ' VNS3_PW && echo\n" +
        "     aws secretsmanager put-secret-value --region eu-west-1 --secret-id vpn-monitor/acme-prod/vns3-a \\\n" +
        `       --secret-string "$(jq -nc --arg p "$VNS3_PW" '{username:"api",password:$p}')"\n` +
        "     unset VNS3_PW\n",
    );
    expect(run.stdout).toContain(
      "     read -rsp 'Datadog API key: ' DD_KEY && echo\n" +
        '     aws secretsmanager put-secret-value --region eu-west-1 --secret-id vpn-monitor/acme-prod/datadog-api-key --secret-string "$DD_KEY"\n',
    );
    expect(run.stdout).toContain(`     aws secretsmanager put-secret-value --region eu-west-1 --secret-id ${SECRET_B} \\\n`);
    expect(run.stdout).not.toContain("vpn-monitor/acme-prod/vns3-b");
    expect(run.stdout).toContain(
      "     read -rsp 'API password of vns3-a: ' VNS3_VNS3_A_PASSWORD && echo && export VNS3_VNS3_A_PASSWORD\n" +
        "     read -rsp 'API password of vns3-b: ' VNS3_VNS3_B_PASSWORD && echo && export VNS3_VNS3_B_PASSWORD\n" +
        "     npm run check -- acme-prod\n" +
        "     unset VNS3_VNS3_A_PASSWORD VNS3_VNS3_B_PASSWORD\n",
    );
    expect(run.stdout).not.toMatch(/PASSWORD=|--secret-string '|DD_API_KEY=|"password":"/);
    expect(run.stdout).toContain(`npm run fingerprint -- 10.0.1.10:8000     # must show ${FP_A}`);
    expect(run.stdout).toContain(`npm run fingerprint -- vns3-b.acme.internal:8443     # must show ${FP_B}`);
    // Deploys happen by merging, through the workflow; nobody deploys by hand.
    expect(run.stdout).toContain("Deploy: merging the pull request deploys. Nobody runs cdktf deploy by hand.");
    expect(run.stdout).not.toContain("npx cdktf deploy");
    expect(run.stdout).toContain("     WEBHOOK_SECRET_ACME_TICKET_TOKEN   (docs/review.md)");
    expect(run.stdout).toContain("   The state bucket acme-terraform-state must exist before the first deploy.");
    expect(run.stdout).toContain("     read -rsp 'Datadog API key: ' DD_API_KEY && echo && export DD_API_KEY\n     npm run check -- acme-prod --send\n");
    expect(run.stdout).toContain("(webhook acme-tickets)");
  });

  it("reports every missing flag at once, naming each and what it expects, and writes nothing", async () => {
    const { "--vpc": _vpc, "--site": _site, "--state-bucket": _bucket, ...flags } = REQUIRED;

    const run = await runCli("cli/onboard/main.ts", args(flags, tmp.dir));

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: missing --vpc: VPC the checker runs in: a VPC id: vpc- and 8 or 17 hex digits (e.g. vpc-0a1b2c3d4e5f60718)\n" +
        "error: missing --state-bucket: S3 bucket for the Terraform state, which the deploy workflow needs: an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens (or --local-state)\n" +
        "error: missing --site: a Datadog site: US1 (datadoghq.com), US3 (us3.datadoghq.com), US5 (us5.datadoghq.com), EU (datadoghq.eu), AP1 (ap1.datadoghq.com), AP2 (ap2.datadoghq.com), GOV (ddog-gov.com); the domain (datadoghq.eu) or app URL (app.datadoghq.eu) works too\n" +
        NOTHING,
    );
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
  const run = async (argv: string[]) => {
    const io = memoryIo();
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };

  it.each([
    ["--name", "Acme", '--name "Acme": expected lowercase letters, digits and hyphens, 2-32 characters, starting with a letter (e.g. acme-prod)'],
    ["--name", "example-simple", `--name "example-simple": is already used by ${"DIR"}/example-simple.yaml: choose another name, or edit that file`],
    ["--region", "eu-west", '--region "eu-west": expected an AWS region, e.g. eu-west-1 (did you mean eu-west-1?)'],
    ["--region", "eu-wset-1", '--region "eu-wset-1": expected an AWS region, e.g. eu-west-1 (did you mean eu-west-1?)'],
    ["--region", "mars-north-1", '--region "mars-north-1": expected an AWS region, e.g. eu-west-1'],
    ["--vpc", "vpc-1", '--vpc "vpc-1": expected a VPC id: vpc- and 8 or 17 hex digits (e.g. vpc-0a1b2c3d4e5f60718)'],
    ["--subnets", "subnet-0a1b2c3d4e5f60001,subnet-x", '--subnets "subnet-x": expected subnet ids, comma-separated: subnet- and 8 or 17 hex digits each'],
    ["--subnets", "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60001", '--subnets "subnet-0a1b2c3d4e5f60001": is listed twice'],
    ["--site", "datadoghq.ue", '--site "datadoghq.ue": expected a Datadog site: US1 (datadoghq.com), US3 (us3.datadoghq.com), US5 (us5.datadoghq.com), EU (datadoghq.eu), AP1 (ap1.datadoghq.com), AP2 (ap2.datadoghq.com), GOV (ddog-gov.com); the domain (datadoghq.eu) or app URL (app.datadoghq.eu) works too (did you mean EU, datadoghq.eu?)'],
    ["--site", "mars", '--site "mars": expected a Datadog site: US1 (datadoghq.com), US3 (us3.datadoghq.com), US5 (us5.datadoghq.com), EU (datadoghq.eu), AP1 (ap1.datadoghq.com), AP2 (ap2.datadoghq.com), GOV (ddog-gov.com); the domain (datadoghq.eu) or app URL (app.datadoghq.eu) works too'],
    // Not ARN-shaped: possibly the key itself, pasted into the wrong flag; never echoed.
    ["--api-key-secret", "pasted-api-key-not-a-real-one-5f2e", "--api-key-secret: expected a Secrets Manager secret ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, or nothing for the stack's own secret (the ARN of a secret you know by name: aws secretsmanager describe-secret --secret-id <name> --query ARN --output text)"],
    ["--api-key-secret", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/datadog-api-key", '--api-key-secret "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/datadog-api-key": lacks the six characters Secrets Manager appends to a secret\'s ARN (e.g. …-AbCdEf): IAM would match no secret and the checker would be denied at run time. Copy the full ARN from `aws secretsmanager describe-secret --secret-id <name> --query ARN`'],
    ["--api-key-secret", "arn:aws:secretsmanager:eu-west-1:1234:secret:acme/datadog-api-key-AbCdEf", '--api-key-secret "arn:aws:secretsmanager:eu-west-1:1234:secret:acme/datadog-api-key-AbCdEf": is not a Secrets Manager secret ARN (expected arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>)'],
    ["--mode", "mutli", '--mode "mutli": expected one of simple, partner, tunnel (multi is read as tunnel) (did you mean multi, read as tunnel?)'],
    ["--mode", "partners", '--mode "partners": expected one of simple, partner, tunnel (multi is read as tunnel) (did you mean partner?)'],
    ["--mode", "per-tunnel", '--mode "per-tunnel": expected one of simple, partner, tunnel (multi is read as tunnel)'],
    ["--window", "7", '--window "7": expected minutes Datadog accepts: 1, 5, 10, 15, 30, 60, 120, 240, 1440'],
    ["--priority", "6", '--priority "6": expected 1 (highest) to 5, or empty for none'],
    ["--webhook-url", "http://tickets.acme.example/hook?token=abc", "--webhook-url: expected an https:// URL without credentials in it"],
    ["--webhook-name", "acme tickets", '--webhook-name "acme tickets": expected letters, digits, _ and - (at most 100)'],
    ["--secret-variable", "acme_token", '--secret-variable "acme_token": expected UPPER_SNAKE_CASE names, comma-separated (e.g. ACME_TICKET_TOKEN)'],
    ["--header", "Authorization Bearer secret-value", '--header: expected Name=value, e.g. "Authorization=Bearer $ACME_TICKET_TOKEN"'],
    ["--header", "Bad Header=x", '--header "Bad Header": expected an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)'],
    ["--tag", "1abc=x", '--tag "1abc=x": expected key=value: a key of letters, digits and _ . : / - (at most 128, starting with a letter), a value of at most 256 characters'],
    ["--state-bucket", "Acme_State", '--state-bucket "Acme_State": expected an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens'],
    ["--state-region", "EU-WEST-1", '--state-region "EU-WEST-1": expected an AWS region, e.g. eu-west-1 (did you mean eu-west-1?)'],
    ["--controller", `name=VNS3,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A}`, '--controller #1 name= "VNS3": expected the controller\'s short name: lowercase letters, digits and hyphens, 2-32, starting with a letter (e.g. vns3-primary)'],
    ["--controller", `name=vns3-a,host=10.0.1.10/24,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A}`, '--controller #1 host= "10.0.1.10/24": expected an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000); IPv4 or a DNS name for the checker'],
    ["--controller", `name=vns3-a,host=10.0.1.10:8443,port=8000,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A}`, '--controller #1 host= "10.0.1.10:8443": gives port 8443, but port= says 8000'],
    ["--controller", `name=vns3-a,host=10.0.1.10,port=http,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A}`, '--controller #1 port= "http": expected a port number 1-65535'],
    ["--controller", `name=vns3-a,host=10.0.1.10,sg=sg-xyz,fingerprint=${FP_A}`, '--controller #1 sg= "sg-xyz": expected a security group id: sg- and 8 or 17 hex digits'],
    ["--controller", `name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,secret=hunter2,fingerprint=${FP_A}`, "--controller #1 secret=: expected a Secrets Manager secret ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, or nothing for the stack's own secret (the ARN of a secret you know by name: aws secretsmanager describe-secret --secret-id <name> --query ARN --output text)"],
    ["--controller", "name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=3F:1A:9C", '--controller #1 fingerprint= "3F:1A:9C": expected a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl\'s `sha256 Fingerprint=` prefix is fine)'],
    ["--controller", `name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A},password=hunter2`, "--controller #1: unknown key \"password\"; expected name=…,host=…[:port],sg=…,fingerprint=…[,secret=<ARN>][,port=…][,expires=YYYY-MM-DD]"],
    ["--controller", `nmae=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP_A}`, "--controller #1: unknown key \"nmae\" (did you mean name=?); expected name=…,host=…[:port],sg=…,fingerprint=…[,secret=<ARN>][,port=…][,expires=YYYY-MM-DD]"],
  ])("refuses %s %j before anything else, naming the flag and what it expects", async (flag, value, message) => {
    const { code, out, err } = await run(args({ ...REQUIRED, [flag]: value }, tmp.dir));

    expect(code).toBe(1);
    expect(err).toBe(`error: ${message.replace(/DIR/g, tmp.dir)}\n${NOTHING}`);
    expect(err).not.toContain("hunter2");
    expect(err).not.toContain("0123456789abcdef");
    expect(err).not.toContain("token=abc");
    expect(out).toBe("");
    expect(filesIn()).toEqual(["example-multi.yaml", "example-simple.yaml"]);
  });

  describe("names taken within the Datadog organization (example-multi: US1, the site's one organization)", () => {
    const US1 = { ...REQUIRED, "--site": "US1", "--state-bucket": "example-terraform-state" };

    it.each([
      ["--webhook-name", "vpn-tickets-example-multi", '--webhook-name "vpn-tickets-example-multi": is already used by DIR/example-multi.yaml (webhook names are unique within a Datadog organization)'],
      ["--secret-variable", "EXAMPLE_MULTI_TICKET_TOKEN", '--secret-variable "EXAMPLE_MULTI_TICKET_TOKEN": is already used by DIR/example-multi.yaml (Datadog variables are unique within an organization)'],
    ])("refuses %s %j on the same site and organization", async (flag, value, message) => {
      const { code, err } = await run(args({ ...US1, [flag]: value }, tmp.dir));

      expect(code).toBe(1);
      expect(err).toBe(`error: ${message.replace(/DIR/g, tmp.dir)}\n${NOTHING}`);
      expect(filesIn()).toEqual(["example-multi.yaml", "example-simple.yaml"]);
    });

    it.each([
      ["another site", { ...REQUIRED, "--site": "EU" }, undefined],
      ["another organization on the same site", { ...US1, "--datadog-organization": "acme" }, "acme"],
    ])("takes the same webhook name and variable in %s, and writes the organization it names", async (_label, flags, organization) => {
      const { code, err } = await run(args({ ...flags, "--webhook-name": "vpn-tickets-example-multi", "--secret-variable": "EXAMPLE_MULTI_TICKET_TOKEN", "--header": "Authorization=Bearer $EXAMPLE_MULTI_TICKET_TOKEN" }, tmp.dir, ["--yes"]));

      expect(err).toBe("");
      expect(code).toBe(0);
      const written = fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8");
      expect(written).toContain("  webhookName: vpn-tickets-example-multi\n");
      if (organization === undefined) expect(written).not.toContain("organization:");
      else expect(written).toContain(`  organization: ${organization}\n`);
    });

    it("refuses an organization name the schema refuses, naming the flag", async () => {
      const { code, err } = await run(args({ ...US1, "--datadog-organization": "Acme Corp" }, tmp.dir));

      expect(code).toBe(1);
      expect(err).toContain('error: --datadog-organization "Acme Corp": expected the Datadog organization\'s short name when the site serves several of yours: lowercase letters, digits and hyphens, 2-32, starting with a letter');
    });
  });


  it("reports usage and value problems together, with did-you-mean for flags, and exits 2", async () => {
    const { code, err } = await run(["--vcp", "vpc-1", "--windw", "5", "--site", "EUR", "--controller", "name=vns3-a", "--yes=now", "--dir", tmp.dir]);

    expect(code).toBe(2);
    expect(err).toBe(
      [
        "error: unknown flag --vcp (did you mean --vpc?)",
        "error: unknown flag --windw (did you mean --window?)",
        "error: --yes takes no value",
        'error: --site "EUR": expected a Datadog site: US1 (datadoghq.com), US3 (us3.datadoghq.com), US5 (us5.datadoghq.com), EU (datadoghq.eu), AP1 (ap1.datadoghq.com), AP2 (ap2.datadoghq.com), GOV (ddog-gov.com); the domain (datadoghq.eu) or app URL (app.datadoghq.eu) works too (did you mean EU, datadoghq.eu?)',
        "error: missing --name: environment name: lowercase letters, digits and hyphens, 2-32 characters, starting with a letter (e.g. acme-prod)",
        "error: missing --region: AWS region of the VPC: an AWS region, e.g. eu-west-1",
        "error: missing --vpc: VPC the checker runs in: a VPC id: vpc- and 8 or 17 hex digits (e.g. vpc-0a1b2c3d4e5f60718)",
        "error: missing --subnets: private subnets for the checker: subnet ids, comma-separated: subnet- and 8 or 17 hex digits each",
        "error: missing --state-bucket: S3 bucket for the Terraform state, which the deploy workflow needs: an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens (or --local-state)",
        "error: missing --webhook-url: ticketing system endpoint: an https:// URL without credentials in it",
        "error: missing host= in --controller #1: an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000); IPv4 or a DNS name for the checker",
        "error: missing sg= in --controller #1: a security group id: sg- and 8 or 17 hex digits",
        "error: missing fingerprint= in --controller #1: a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's `sha256 Fingerprint=` prefix is fine); npm run fingerprint -- <host> prints it",
        "Nothing was written.",
        "Every flag: npm run onboard -- --help",
        "",
      ].join("\n"),
    );
  });

  it.each([["EU"], ["eu"], ["datadoghq.eu"], ["app.datadoghq.eu"], ["https://app.datadoghq.eu/"]])("accepts the site spelled %j and writes EU", async (site) => {
    const { code } = await run(args({ ...REQUIRED, "--site": site }, tmp.dir));

    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8")).toContain("datadog:\n  site: EU\n");
  });

  it.each([
    ["simple", "simple", "# Alert mode simple: one alert (one ticket) for the environment when any tunnel drops."],
    ["partner", "partner", "# Alert mode partner: one alert (one ticket) per partner endpoint, naming the partner, however many of its tunnels are down."],
    ["tunnel", "tunnel", "# Alert mode tunnel: one alert (one ticket) per tunnel."],
    // The earlier name is read as the mode it stands for now, and written as that.
    ["multi", "tunnel", "# Alert mode tunnel: one alert (one ticket) per tunnel."],
  ])("writes --mode %s as mode %s, with the line that says what it does", async (given, written, comment) => {
    const { code } = await run(args({ ...REQUIRED, "--mode": given }, tmp.dir));

    expect(code).toBe(0);
    const text = fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8");
    expect(text.split("\n").slice(0, 2)).toEqual(["# Environment acme-prod, written by `npm run onboard`; edit it by hand from here on.", comment]);
    expect(text).toContain(`monitor:\n  mode: ${written}\n`);
    expect(loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition.monitor.mode).toBe(written);
  });

  it("describes each alert mode of the schema in --help", async () => {
    const { code, out } = await run(["--help"]);

    expect(code).toBe(0);
    // commander wraps the help column: compare the words.
    expect(out.replace(/\s+/g, " ")).toContain(
      "--mode <mode> alert mode (default: simple): simple: one alert (one ticket) for the environment when any tunnel drops; " +
        "partner: one alert (one ticket) per partner endpoint, naming the partner, however many of its tunnels are down; " +
        "tunnel: one alert (one ticket) per tunnel; multi is read as tunnel",
    );
  });

  it("offers AP2", async () => {
    const { code } = await run(args({ ...REQUIRED, "--site": "ap2.datadoghq.com" }, tmp.dir));

    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8")).toContain("datadog:\n  site: AP2\n");
  });

  it.each([
    ["colons", FP_A],
    ["spaces", FP_A.replace(/:/g, " ")],
    ["no separators, lower case", FP_A.replace(/:/g, "").toLowerCase()],
    ["openssl's prefix", `sha256 Fingerprint=${FP_A}`],
  ])("accepts a fingerprint with %s and writes the canonical form", async (_how, fingerprint) => {
    const { code } = await run(args({ ...REQUIRED, "--controller": `name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${fingerprint}` }, tmp.dir));

    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8")).toContain(`    tlsSha256: "${FP_A}"\n`);
  });

  it("refuses a credential header without a secret variable, naming the field and the flag", async () => {
    const { code, err } = await run(args({ ...REQUIRED, "--header": "Authorization=Bearer abc" }, tmp.dir));

    expect(code).toBe(1);
    expect(err).toBe(
      `error: ${path.join(tmp.dir, "acme-prod.yaml")}: ticketing.customHeaders.Authorization carries a credential: put it in a secretVariables entry and reference it as $NAME [--header]\nNothing was written.\n`,
    );
  });

  it("refuses to overwrite an existing file and leaves it untouched", async () => {
    const file = path.join(tmp.dir, "acme-prod.yaml");
    fs.writeFileSync(file, "# hand-written, not even valid\n");

    const { code, err } = await run(args(REQUIRED, tmp.dir));

    expect(code).toBe(1);
    expect(err).toContain(`error: --name "acme-prod": is already used by ${file}: choose another name, or edit that file\n`);
    expect(fs.readFileSync(file, "utf8")).toBe("# hand-written, not even valid\n");
  });

  it("refuses a name that another extension already holds", async () => {
    fs.writeFileSync(path.join(tmp.dir, "acme-prod.json"), "{}");

    const { code, err } = await run(args(REQUIRED, tmp.dir));

    expect(code).toBe(1);
    expect(err).toContain(`is already used by ${path.join(tmp.dir, "acme-prod.json")}`);
    expect(fs.existsSync(path.join(tmp.dir, "acme-prod.yaml"))).toBe(false);
  });

  it("applies the documented defaults: simple mode, 5-minute window, stack-created secrets; local state only with a warning", async () => {
    const { "--state-bucket": _bucket, ...withoutBucket } = REQUIRED;
    const { code, out, err } = await run(args(withoutBucket, tmp.dir, ["--local-state"]));

    expect(code).toBe(0);
    expect(err).toBe("");
    const text = fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8");
    expect(text).toContain("# Alert mode simple: one alert (one ticket) for the environment when any tunnel drops.\n");
    expect(text).toContain(
      "# Terraform state stays on this machine: for trying things out only. The deploy workflow\n# refuses local state; add  backend: {type: s3, bucket: <bucket>}  before the first merge.\n",
    );
    expect(text).toContain("monitor:\n  mode: simple\n  windowMinutes: 5\n\nticketing:\n  webhookUrl: https://tickets.acme.example/api/datadog\n");
    expect(text).not.toContain("backend:\n");
    expect(text).not.toMatch(/^\s*(secretArn|apiKeySecretArn):/m);
    const def = loadEnvironments(tmp.dir).find((e) => e.definition.name === "acme-prod")?.definition;
    expect(def?.backend).toEqual({ type: "local" });
    expect(def?.controllers[0]?.port).toBe(8000);
    expect(def?.ticketing.webhookName).toBeUndefined();
    expect(out).toContain("   WARNING: the file keeps Terraform state locally. The deploy workflow refuses it: before the\n");
    expect(out).not.toContain("WEBHOOK_SECRET_");
  });

  it("writes a deploy target beside examples (deploy: false), never copying the field", async () => {
    // The shipped examples say deploy: false; the copies here say it too.
    for (const name of ["example-simple", "example-multi"]) {
      const file = path.join(tmp.dir, `${name}.yaml`);
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(`\nname: ${name}\n`, `\nname: ${name}\ndeploy: false\n`));
    }

    const { code, err } = await run(args(REQUIRED, tmp.dir));

    expect([code, err]).toEqual([0, ""]);
    expect(fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8")).not.toMatch(/^\s*deploy\s*:/m);
    const loaded = loadEnvironments(tmp.dir);
    expect(loaded.map((e) => [e.definition.name, e.definition.deploy])).toEqual([
      ["acme-prod", undefined],
      ["example-multi", false],
      ["example-simple", false],
    ]);
    expect(deployTargets(loaded).map((t) => t.name)).toEqual(["acme-prod", "fleet"]);
  });

  it("refuses --state-region without a state bucket", async () => {
    const { "--state-bucket": _bucket, ...withoutBucket } = REQUIRED;

    const { code, err } = await run(args(withoutBucket, tmp.dir, ["--local-state", "--state-region", "us-east-1"]));

    expect(code).toBe(1);
    expect(err).toBe(`error: --state-region: needs --state-bucket\n${NOTHING}`);
  });

  it("refuses --local-state together with --state-bucket", async () => {
    const { code, err } = await run(args(REQUIRED, tmp.dir, ["--local-state"]));

    expect(code).toBe(1);
    expect(err).toBe(`error: --local-state and --state-bucket exclude each other: choose one\n${NOTHING}`);
  });

  it("writes into an empty or missing folder", async () => {
    const dir = path.join(tmp.dir, "fresh", "environments");

    const { code } = await run(args(REQUIRED, dir));

    expect(code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(["acme-prod.yaml"]);
    expect(loadEnvironments(dir)).toHaveLength(1);
  });
});
