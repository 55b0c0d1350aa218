/** Answers → definition, file text and next steps, called directly (pure). */
import * as path from "node:path";
import { parse } from "yaml";
import type { Answers } from "../../../cli/onboard/answers";
import { buildOnboarding, withFlagHint } from "../../../cli/onboard/definition";
import { yamlString } from "../../../cli/onboard/environment-yaml";
import { NO_ENVIRONMENTS } from "../../../cli/onboard/existing-environments";
import { ANSWER_ROWS } from "../../../cli/onboard/flags";
import { parseEnvironmentText, validateEnvironment } from "../../../stacks/environment/load";

const FP = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";
const CONTROLLER = { name: "vns3-a", host: "10.0.1.10", port: 8000, securityGroupId: "sg-0a1b2c3d4e5f60101", secretArn: null, tlsSha256: FP };

function answers(overrides: Partial<Answers> = {}): Answers {
  return {
    name: "acme-prod",
    region: "eu-west-1",
    vpcId: "vpc-0a1b2c3d4e5f60718",
    subnetIds: ["subnet-0a1b2c3d4e5f60001"],
    tags: {},
    stateBucket: "acme-state",
    stateRegion: null,
    controllers: [CONTROLLER],
    site: "US1",
    datadogOrganization: null,
    apiKeySecretArn: null,
    mode: "simple",
    windowMinutes: 5,
    priority: null,
    message: null,
    webhookUrl: "https://tickets.acme.example/hook",
    webhookName: null,
    secretVariables: [],
    customHeaders: {},
    ...overrides,
  };
}

const NO_ENVIRONMENTS_CONTEXT = { existing: NO_ENVIRONMENTS };

describe("buildOnboarding", () => {
  it("turns answers into a validated definition, the file text and next steps", () => {
    const result = buildOnboarding(answers(), NO_ENVIRONMENTS);

    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.file).toBe(path.join("environments", "acme-prod.yaml"));
    expect(result.definition).toMatchObject({
      name: "acme-prod",
      backend: { type: "s3", bucket: "acme-state" },
      controllers: [{ name: "vns3-a", host: "10.0.1.10", port: 8000, tlsSha256: FP }],
      datadog: { site: "US1" },
      monitor: { mode: "simple", windowMinutes: 5 },
      ticketing: { webhookUrl: "https://tickets.acme.example/hook", secretVariables: [], customHeaders: {} },
    });
    const reread = parseEnvironmentText("x", result.yaml);
    expect(reread.ok && validateEnvironment("x", reread.data)).toEqual({ ok: true, definition: result.definition });
    expect(result.nextSteps[0]).toBe("Next steps for acme-prod (the whole runbook: docs/onboarding.md)");
    expect(result.warnings).toEqual([]);
  });

  it("leaves out the fingerprint step for a certificate confirmed live during onboarding", () => {
    const live = buildOnboarding(answers({ controllers: [{ ...CONTROLLER, fingerprintConfirmed: true }] }), NO_ENVIRONMENTS);
    const pasted = buildOnboarding(answers(), NO_ENVIRONMENTS);

    expect(live.ok && live.nextSteps.join("\n")).not.toContain("npm run fingerprint");
    expect(pasted.ok && pasted.nextSteps.join("\n")).toContain(`npm run fingerprint -- 10.0.1.10:8000     # must show ${FP}`);
  });

  it("asks for existing secrets by ARN, in the ARN's region, with read -rs and jq, and does not mention stack-created ones", () => {
    const arn = "arn:aws:secretsmanager:us-east-2:123456789012:secret:acme/vns3-a-AbCdEf";
    const ddArn = "arn:aws:secretsmanager:us-east-2:123456789012:secret:acme/dd-QwErTy";

    const result = buildOnboarding(answers({ controllers: [{ ...CONTROLLER, secretArn: arn }], apiKeySecretArn: ddArn }), NO_ENVIRONMENTS);

    if (!result.ok) throw new Error(result.problems.join("\n"));
    const text = result.nextSteps.join("\n");
    expect(text).toContain(
      "3. The secrets the file names must hold these values before the merge (skip those already filled):\n" +
        "     read -rsp 'API password of vns3-a: ' VNS3_PW && echo\n" +
        `     aws secretsmanager put-secret-value --region us-east-2 --secret-id ${arn} \\\n` +
        `       --secret-string "$(jq -nc --arg p "$VNS3_PW" '{username:"api",password:$p}')"\n` +
        "     unset VNS3_PW\n" +
        "     read -rsp 'Datadog API key: ' DD_KEY && echo\n" +
        `     aws secretsmanager put-secret-value --region us-east-2 --secret-id ${ddArn} --secret-string "$DD_KEY"\n`,
    );
    expect(text).not.toContain("vpn-monitor/acme-prod/");
    expect(text).not.toContain("fill the secrets the stack created");
  });

  it("warns when a secret variable is referenced by no header", () => {
    const result = buildOnboarding(answers({ secretVariables: ["ACME_TOKEN"] }), NO_ENVIRONMENTS);

    expect(result.ok && result.warnings).toEqual([
      'ticketing.secretVariables ACME_TOKEN is not used: reference it as $ACME_TOKEN in a header (--header "Authorization=Bearer $ACME_TOKEN") or the URL\'s query',
    ]);
  });

  it("counts a secret used only in the webhook URL's query as used: no warning, and no header asked for", () => {
    const webhookUrl = "https://tickets.acme.example/hook?token=$ACME_TOKEN";
    const result = buildOnboarding(answers({ secretVariables: ["ACME_TOKEN"], webhookUrl }), NO_ENVIRONMENTS);
    expect(result.ok && result.warnings).toEqual([]);
    const headers = ANSWER_ROWS.find((r) => r.key === "customHeaders")!;
    expect(headers.asked?.({ secretVariables: ["ACME_TOKEN"], webhookUrl }, NO_ENVIRONMENTS_CONTEXT)).toBe(false);
    // A prefix of the name is not a use of it.
    expect(headers.asked?.({ secretVariables: ["ACME_TOKEN"], webhookUrl: "https://tickets.acme.example/hook?token=$ACME_TOKEN_OLD" }, NO_ENVIRONMENTS_CONTEXT)).toBe(true);
    expect(headers.asked?.({ secretVariables: ["ACME_TOKEN"], webhookUrl: "https://tickets.acme.example/hook" }, NO_ENVIRONMENTS_CONTEXT)).toBe(true);
  });

  it("names the undeclared variable a credential header references", () => {
    const result = buildOnboarding(answers({ secretVariables: ["ACME_TOKEN"], customHeaders: { Authorization: "Bearer $ACME_TOKN" } }), NO_ENVIRONMENTS);
    expect(result).toEqual({
      ok: false,
      problems: [`${path.join("environments", "acme-prod.yaml")}: ticketing.customHeaders.Authorization references $ACME_TOKN, which is not in ticketing.secretVariables (declared: ACME_TOKEN): declare it there or fix the name`],
    });
  });

  it("refuses a credential header that does not come from a secret variable, without repeating its value", () => {
    const result = buildOnboarding(answers({ customHeaders: { Authorization: "Bearer abc123" } }), NO_ENVIRONMENTS, { flagHints: true });

    expect(result).toEqual({
      ok: false,
      problems: [`${path.join("environments", "acme-prod.yaml")}: ticketing.customHeaders.Authorization carries a credential: put it in a secretVariables entry and reference it as $NAME [--header]`],
    });
  });

  it("points a schema problem at its flag", () => {
    expect(withFlagHint("f: controllers[1].securityGroupId x is bad", "f")).toBe("f: controllers[1].securityGroupId x is bad [--controller #2 sg=]");
    expect(withFlagHint("f: backend.bucket x is bad", "f")).toBe("f: backend.bucket x is bad [--state-bucket]");
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

describe("the Datadog organization question", () => {
  const organizationRow = ANSWER_ROWS.find((r) => r.key === "datadogOrganization")!;
  const inOrganization = (name: string, site: string, organization?: string) => {
    const built = buildOnboarding(answers({ name, site: site as Answers["site"], datadogOrganization: organization ?? null }), NO_ENVIRONMENTS);
    if (!built.ok) throw new Error(built.problems.join("; "));
    const read = validateEnvironment(`environments/${name}.yaml`, parse(built.yaml));
    if (!read.ok) throw new Error(read.problems.join("; "));
    return { file: `environments/${name}.yaml`, definition: read.definition };
  };

  it("is asked only on a site where the repository already names organizations, and lists them", () => {
    const existing = { ...NO_ENVIRONMENTS, loaded: [inOrganization("globex-prod", "US1", "globex"), inOrganization("initech-prod", "EU")] };
    const ctx = { existing };

    expect(organizationRow.asked?.({ site: "US1" }, ctx)).toBe(true);
    expect(organizationRow.asked?.({ site: "EU" }, ctx)).toBe(false);
    expect(organizationRow.asked?.({}, ctx)).toBe(false);
    expect(organizationRow.question.kind === "text" && organizationRow.question.message({ site: "US1" }, ctx)).toContain("definitions here name globex;");
  });

  it("writes datadog.organization when named, and nothing when not", () => {
    const named = buildOnboarding(answers({ datadogOrganization: "acme" }), NO_ENVIRONMENTS);
    const unnamed = buildOnboarding(answers(), NO_ENVIRONMENTS);

    expect(named.ok && parse(named.yaml).datadog).toEqual({ site: "US1", organization: "acme" });
    expect(unnamed.ok && parse(unnamed.yaml).datadog).toEqual({ site: "US1" });
  });
});

describe("next steps after the first deploy", () => {
  const OWN_KEY = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/datadog-api-key-AbCdEf";
  const OWN_CONTROLLER_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/vns3-a-AbCdEf";
  const steps = (overrides: Partial<Answers>) => {
    const result = buildOnboarding(answers(overrides), NO_ENVIRONMENTS);
    if (!result.ok) throw new Error(result.problems.join("; "));
    return result.nextSteps.join("\n");
  };

  it("says the first deploy stops at its first check while the stack's own Datadog key secret is empty, and how to deploy again", () => {
    const text = steps({});
    expect(text).toContain("The first deploy stops at its first check, before any monitor exists (nothing pages): the Datadog\n");
    expect(text).toContain("   (Actions → deploy → Run workflow, environments acme-prod):\n");
    expect(text).toContain("   datadog.apiKeySecretArn in environments/acme-prod.yaml (docs/onboarding.md, step 3b).");
    expect(text).toContain("--secret-id vpn-monitor/acme-prod/datadog-api-key");
    expect(text).toContain("--secret-id vpn-monitor/acme-prod/vns3-a");
  });

  it("with its own Datadog key secret, asks only for the controller secrets the stack created, after the first deploy", () => {
    const text = steps({ apiKeySecretArn: OWN_KEY });
    expect(text).not.toContain("The first deploy stops");
    expect(text).toContain("Right after the first deploy, fill the controller secrets the stack created empty (until then\n");
    expect(text).toContain("--secret-id vpn-monitor/acme-prod/vns3-a");
    expect(text).not.toContain("datadog-api-key --secret-string");
  });

  it("has no after-the-first-deploy step when every secret is the operator's own (filled before the check)", () => {
    const text = steps({ apiKeySecretArn: OWN_KEY, controllers: [{ ...CONTROLLER, secretArn: OWN_CONTROLLER_SECRET }] });
    expect(text).not.toContain("The first deploy stops");
    expect(text).not.toContain("Right after the first deploy");
    expect(text).not.toContain("--secret-id vpn-monitor/acme-prod/");
  });
});
