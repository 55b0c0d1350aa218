/** The flag table: controller specs, and the equivalent command line that writes the same file. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Answers } from "../../../cli/onboard/answers";
import { readControllerSpec } from "../../../cli/onboard/controllers";
import { buildOnboarding } from "../../../cli/onboard/definition";
import { NO_ENVIRONMENTS } from "../../../cli/onboard/existing-environments";
import { ANSWER_ROWS, equivalentCommandLine, shellWord } from "../../../cli/onboard/flags";
import { main } from "../../../cli/onboard/main";
import { memoryIo, tempDir } from "../../helpers/cli-harness";

const FP = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/vns3-b-AbCdEf";

const FULL: Answers = {
  name: "acme-prod",
  region: "eu-west-1",
  vpcId: "vpc-0a1b2c3d4e5f60718",
  subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
  tags: { customer: "acme", "cost-center": "1234 5" },
  stateBucket: "acme-state",
  stateRegion: "us-east-1",
  stateKmsKey: null,
  controllers: [
    { name: "vns3-a", host: "10.0.1.10", port: 8000, securityGroupId: "sg-0a1b2c3d4e5f60101", secretArn: null, tlsSha256: FP },
    { name: "vns3-b", host: "vns3-b.acme.internal", port: 8443, securityGroupId: "sg-0a1b2c3d4e5f60102", secretArn: ARN, tlsSha256: FP },
  ],
  site: "AP2",
  datadogOrganization: "acme",
  apiKeySecretArn: null,
  mode: "partner",
  windowMinutes: 10,
  priority: 2,
  message: "@slack-net: it's down",
  webhookUrl: "https://tickets.acme.example/api/datadog",
  webhookName: "acme-tickets",
  secretVariables: ["ACME_TICKET_TOKEN"],
  customHeaders: { Authorization: "Bearer $ACME_TICKET_TOKEN" },
};

describe("equivalentCommandLine", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.remove());

  it("quotes for a POSIX shell: $ stays literal, a quote survives", () => {
    expect(shellWord("vpc-0a1b")).toBe("vpc-0a1b");
    expect(shellWord("Authorization=Bearer $TOKEN")).toBe("'Authorization=Bearer $TOKEN'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
  });

  it("is a command line that, run without a terminal, writes exactly the file the answers give", async () => {
    // Prepare
    const line = equivalentCommandLine(FULL, tmp.dir);
    expect(line.startsWith("npm run onboard -- --name acme-prod --region eu-west-1 ")).toBe(true);
    expect(line).toContain(`--controller name=vns3-b,host=vns3-b.acme.internal,port=8443,sg=sg-0a1b2c3d4e5f60102,secret=${ARN},fingerprint=${FP}`);
    expect(line).toContain("--header 'Authorization=Bearer $ACME_TICKET_TOKEN'");
    // The shell itself splits the words, as it would for the operator.
    const argv = execFileSync("bash", ["-c", `printf '%s\\0' ${line.replace(/^npm run onboard -- /, "")}`]).toString("utf8").split("\0").slice(0, -1);
    const io = memoryIo();

    // Act
    const code = await main(argv, io);

    // Assess
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    const expected = buildOnboarding(FULL, { ...NO_ENVIRONMENTS, dir: tmp.dir });
    expect(expected.ok && fs.readFileSync(path.join(tmp.dir, "acme-prod.yaml"), "utf8")).toBe(expected.ok && expected.yaml);
  });

  it("says --local-state for local state and leaves defaults out", () => {
    const line = equivalentCommandLine({ ...FULL, stateBucket: null, stateRegion: null, mode: "simple", windowMinutes: 5, priority: null, message: null, datadogOrganization: null, webhookName: null, secretVariables: [], customHeaders: {}, tags: {} }, "environments");

    expect(line).toBe(
      "npm run onboard -- --name acme-prod --region eu-west-1 --vpc vpc-0a1b2c3d4e5f60718 --subnets subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002 --local-state " +
        `--controller name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP} --controller name=vns3-b,host=vns3-b.acme.internal,port=8443,sg=sg-0a1b2c3d4e5f60102,secret=${ARN},fingerprint=${FP} ` +
        "--site AP2 --webhook-url https://tickets.acme.example/api/datadog --no-interactive",
    );
  });

  it("has one row per answer, each with its own flag", () => {
    const keys = ANSWER_ROWS.map((r) => r.key).sort();

    expect(keys).toEqual(Object.keys(FULL).sort());
    expect(new Set(ANSWER_ROWS.map((r) => r.flag.name)).size).toBe(ANSWER_ROWS.length);
  });
});

describe("readControllerSpec", () => {
  it("reads expires= as the credential's end date, and refuses a date that does not exist, naming the key", () => {
    expect(readControllerSpec(`name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP},expires=2027-03-31`, 0).draft.credentialExpires).toBe("2027-03-31");
    expect(readControllerSpec(`name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP},expires=2027-02-30`, 0).problems).toEqual([
      { where: "#1 expires=", value: "2027-02-30", detail: "expected a date YYYY-MM-DD (e.g. 2027-03-31), the day the controller's API token (or password) expires" },
    ]);
  });

  it("keeps ARNs with = and reads host:port", () => {
    // Secret names may hold = (CreateSecret: letters, digits and /_+=.@-); the ARN ends in -<6 characters>.
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/team=payments/vns3-a-Zx9Qw1";
    const read = readControllerSpec(`name=vns3-a,host=10.0.1.10:8443,sg=sg-0a1b2c3d4e5f60101,secret=${arn},fingerprint=${FP}`, 0);

    expect(read).toEqual({
      draft: { name: "vns3-a", host: "10.0.1.10", port: 8443, securityGroupId: "sg-0a1b2c3d4e5f60101", secretArn: arn, tlsSha256: FP },
      problems: [],
    });
  });

  it("refuses an ARN without the six characters Secrets Manager appends, naming the key", () => {
    const partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/vns3-a";

    expect(readControllerSpec(`name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,secret=${partial},fingerprint=${FP}`, 0).problems).toEqual([
      {
        where: "#1 secret=",
        value: partial,
        detail:
          "lacks the six characters Secrets Manager appends to a secret's ARN (e.g. …-AbCdEf): IAM would match no secret and the checker would be denied at run time. " +
          "Copy the full ARN from `aws secretsmanager describe-secret --secret-id <name> --query ARN`",
      },
    ]);
  });

  it("reports a key given twice and a part without a key, never quoting the part", () => {
    expect(readControllerSpec("name=vns3-a,name=vns3-b,hunter2", 1).problems).toEqual([
      { where: "#2 name=", detail: "is given twice" },
      { where: "#2", detail: "a part without key=; expected name=…,host=…[:port],sg=…,fingerprint=…[,secret=<ARN>][,port=…][,expires=YYYY-MM-DD]" },
    ]);
  });
});
