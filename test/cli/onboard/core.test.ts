/** The pure core of onboard, called directly: answers in, definition + text + next steps out. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { yamlString } from "../../cli/lib/environment-yaml";
import {
  answersFromFlags,
  buildOnboarding,
  completeAnswers,
  missingAnswers,
  parseControllerSpec,
  withFlagHint,
  type ExistingEnvironments,
  type OnboardAnswers,
} from "../../cli/lib/onboard-core";
import { FileExistsError, writeNewFileAtomic } from "../../cli/lib/write-new-file";
import { parseEnvironmentText, validateEnvironment } from "../../stacks/environment/load";
import { tempDir } from "./support/cli-harness";

const FP = "3f1a9c440b7e52d18a6ce02195bb470dc8f36e19a25d7308e49b31cc570af62e";
const FP_NORMAL = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";

const NONE: ExistingEnvironments = { dir: "environments", fileNames: [], loaded: [], problems: [] };

function answers(overrides: Partial<OnboardAnswers> = {}): OnboardAnswers {
  return completeAnswers({
    name: "acme-prod",
    region: "eu-west-1",
    vpcId: "vpc-0a1b2c3d4e5f60718",
    subnetIds: ["subnet-0a1b2c3d4e5f60001"],
    controllers: [{ name: "vns3-a", host: "10.0.1.10", securityGroupId: "sg-0a1b2c3d4e5f60101", tlsSha256: FP }],
    site: "US1",
    webhookUrl: "https://tickets.acme.example/hook",
    ...overrides,
  });
}

describe("buildOnboarding", () => {
  it("turns answers into a validated definition, the file text and next steps", () => {
    const result = buildOnboarding(answers(), NONE);

    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.file).toBe(path.join("environments", "acme-prod.yaml"));
    expect(result.definition).toMatchObject({
      name: "acme-prod",
      backend: { type: "local" },
      controllers: [{ name: "vns3-a", host: "10.0.1.10", port: 8000, tlsSha256: FP_NORMAL }],
      datadog: { site: "US1" },
      monitor: { mode: "simple", windowMinutes: 5 },
      ticketing: { webhookUrl: "https://tickets.acme.example/hook", secretVariables: [], customHeaders: {} },
    });
    const reread = parseEnvironmentText("x", result.yaml);
    expect(reread.ok && validateEnvironment("x", reread.data)).toEqual({ ok: true, definition: result.definition });
    expect(result.nextSteps[0]).toBe("Next steps for acme-prod (the whole runbook: docs/onboarding.md)");
    expect(result.nextSteps).toContain("     aws secretsmanager put-secret-value --region eu-west-1 --secret-id vpn-monitor/acme-prod/vns3-a \\");
    expect(result.nextSteps).toContain("     aws secretsmanager put-secret-value --region eu-west-1 --secret-id vpn-monitor/acme-prod/datadog-api-key \\");
    expect(result.nextSteps).toContain("     npx cdktf deploy vpn-monitor-acme-prod");
    expect(result.warnings).toEqual([]);
  });

  it("writes the fingerprint in the colon upper-case form whatever form was given", () => {
    const result = buildOnboarding(answers(), NONE);

    expect(result.ok && result.yaml).toContain(`    tlsSha256: "${FP_NORMAL}"\n`);
  });

  it("leaves out the fingerprint step for a certificate confirmed live during onboarding", () => {
    const confirmed = answers({ controllers: [{ name: "vns3-a", host: "10.0.1.10", securityGroupId: "sg-0a1b2c3d4e5f60101", tlsSha256: FP, fingerprintConfirmed: true }] });

    const live = buildOnboarding(confirmed, NONE);
    const pasted = buildOnboarding(answers(), NONE);

    expect(live.ok && live.nextSteps.join("\n")).not.toContain("npm run fingerprint");
    expect(pasted.ok && pasted.nextSteps.join("\n")).toContain(`npm run fingerprint -- 10.0.1.10 8000     # must show ${FP_NORMAL}`);
  });

  it("asks for existing secrets by ARN, in the ARN's region, and does not mention stack-created ones", () => {
    const arn = "arn:aws:secretsmanager:us-east-2:123456789012:secret:acme/vns3-a-AbCdEf";
    const ddArn = "arn:aws:secretsmanager:us-east-2:123456789012:secret:acme/dd-QwErTy";
    const result = buildOnboarding(
      answers({ controllers: [{ name: "vns3-a", host: "10.0.1.10", securityGroupId: "sg-0a1b2c3d4e5f60101", tlsSha256: FP, secretArn: arn }], apiKeySecretArn: ddArn }),
      NONE,
    );

    if (!result.ok) throw new Error(result.problems.join("\n"));
    const text = result.nextSteps.join("\n");
    expect(text).toContain(`aws secretsmanager put-secret-value --region us-east-2 --secret-id ${arn} \\`);
    expect(text).toContain(`aws secretsmanager put-secret-value --region us-east-2 --secret-id ${ddArn} \\`);
    expect(text).not.toContain("vpn-monitor/acme-prod/");
    expect(text).not.toContain("The stack creates these secrets empty");
  });

  it("warns when a secret variable is referenced by no header", () => {
    const result = buildOnboarding(answers({ secretVariables: ["ACME_TOKEN"] }), NONE);

    expect(result.ok && result.warnings).toEqual([
      'ticketing.secretVariables ACME_TOKEN is not used: reference it as $ACME_TOKEN in a header (--header "Authorization=Bearer $ACME_TOKEN")',
    ]);
  });

  it("returns every schema problem, with the flag to fix when asked for hints", () => {
    const result = buildOnboarding(answers({ vpcId: "vpc-1", webhookUrl: "ftp://x" }), NONE, { flagHints: true });

    expect(result).toEqual({
      ok: false,
      problems: [
        `${path.join("environments", "acme-prod.yaml")}: aws.vpcId "vpc-1" is not a VPC id [--vpc]`,
        `${path.join("environments", "acme-prod.yaml")}: ticketing.webhookUrl "ftp://x" must be an https:// URL without credentials in it [--webhook-url]`,
      ],
    });
  });

  it("refuses a credential header that does not come from a secret variable", () => {
    const result = buildOnboarding(answers({ customHeaders: { Authorization: "Bearer abc123" } }), NONE);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toContain("ticketing.customHeaders.Authorization carries a credential");
    expect(!result.ok && result.problems[0]).not.toContain("abc123");
  });
});

describe("answers from flags", () => {
  it("lists every missing required value at once", () => {
    expect(missingAnswers({})).toEqual([
      "missing --name (the environment name: lowercase letters, digits and hyphens, e.g. acme-prod)",
      "missing --region (the AWS region of the VPC, e.g. eu-west-1)",
      "missing --vpc (the VPC id the checker runs in)",
      "missing --subnets (private subnet ids for the checker, comma-separated)",
      "missing --controller (name=…,host=…,sg=…,fingerprint=…[,secret=…][,port=…]; once per controller)",
      "missing --site (the Datadog site: US1 (datadoghq.com), US3 (us3.datadoghq.com), US5 (us5.datadoghq.com), EU (datadoghq.eu), AP1 (ap1.datadoghq.com), AP2 (ap2.datadoghq.com), GOV (ddog-gov.com))",
      "missing --webhook-url (the https:// endpoint of the ticketing system)",
    ]);
  });

  it("parses a controller spec, keeping ARNs with = and numbers as numbers", () => {
    const problems: string[] = [];

    const c = parseControllerSpec("name=a1,host=h,port=8443,sg=sg-1,secret=arn:aws:secretsmanager:eu-west-1:1:secret:x=y,fingerprint=ab", 0, problems);

    expect(problems).toEqual([]);
    expect(c).toEqual({ name: "a1", host: "h", port: 8443, securityGroupId: "sg-1", secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:x=y", tlsSha256: "ab" });
  });

  it("reports a key given twice and a part without a key", () => {
    const problems: string[] = [];

    parseControllerSpec("name=a,name=b,oops", 1, problems);

    expect(problems).toEqual(["--controller #2: name= is given twice", "--controller #2: a part without key=; expected name=, host=, port=, sg=, secret=, fingerprint="]);
  });

  it("upper-cases the site, splits lists and builds the S3 backend", () => {
    const { answers: a, problems } = answersFromFlags({ site: "eu", subnets: " subnet-1 , subnet-2,", s3Bucket: "b", secretVariable: ["A,B", "C"], tag: ["k=v=w"] });

    expect(problems).toEqual([]);
    expect(a).toEqual({ site: "EU", subnetIds: ["subnet-1", "subnet-2"], backend: { type: "s3", bucket: "b" }, secretVariables: ["A", "B", "C"], tags: { k: "v=w" } });
  });

  it("needs --s3-bucket for --s3-region", () => {
    expect(answersFromFlags({ s3Region: "eu-west-1" }).problems).toEqual(["--s3-region needs --s3-bucket"]);
  });

  it("points a schema problem at its flag", () => {
    expect(withFlagHint("f: controllers[1].securityGroupId x is bad", "f")).toBe("f: controllers[1].securityGroupId x is bad [--controller #2 sg=]");
    expect(withFlagHint("f: lambda.memoryMb is bad", "f")).toBe("f: lambda.memoryMb is bad");
  });
});

describe("yamlString", () => {
  it.each([
    ["acme", "acme"],
    ["1234", '"1234"'],
    ["true", '"true"'],
    ["null", '"null"'],
    ["a: b", '"a: b"'],
    ["#x", '"#x"'],
    ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b-Cd", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b-Cd"],
    ["https://x.example/a?b=c", '"https://x.example/a?b=c"'],
  ])("renders %j as %s and reads back the same", (value, rendered) => {
    expect(yamlString(value)).toBe(rendered);
    expect(parse(`v: ${rendered}`)).toEqual({ v: value });
  });
});

describe("writeNewFileAtomic", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.remove());

  it("creates the file and leaves no temporary file behind", () => {
    const file = path.join(tmp.dir, "a.yaml");

    writeNewFileAtomic(file, "name: a\n");

    expect(fs.readFileSync(file, "utf8")).toBe("name: a\n");
    expect(fs.readdirSync(tmp.dir)).toEqual(["a.yaml"]);
  });

  it("refuses an existing file, keeps its content and cleans up", () => {
    const file = path.join(tmp.dir, "a.yaml");
    fs.writeFileSync(file, "original\n");

    expect(() => writeNewFileAtomic(file, "new\n")).toThrow(FileExistsError);

    expect(fs.readFileSync(file, "utf8")).toBe("original\n");
    expect(fs.readdirSync(tmp.dir)).toEqual(["a.yaml"]);
  });
});
