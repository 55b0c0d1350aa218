/**
 * Every validation error names the file and the field and says what was expected; near-miss
 * field and value names get a suggestion; a value that may carry a credential is never echoed.
 */
import { knownFieldsAt, validateEnvironment } from "../../../stacks/environment/load";
import type { EnvironmentInput } from "../../../contract/definition/schema";
import { baseDefinition } from "../../helpers/synth";

const FILE = "environments/acme-prod.yaml";
const base = baseDefinition();
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "5b9c1a6e-0f3d-11ee-9f0b-da7ad0900002";

function problems(input: unknown): string[] {
  const result = validateEnvironment(FILE, input);
  return result.ok ? [] : result.problems;
}

function parsed(input: EnvironmentInput) {
  const result = validateEnvironment(FILE, input);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.definition;
}

describe("ids and ARNs say what they should look like", () => {
  it.each<[string, unknown, string]>([
    ["a VPC id", { ...base, aws: { ...base.aws, vpcId: "vpc-1" } }, 'aws.vpcId "vpc-1" is not a VPC id (expected vpc- followed by 8 or 17 hex digits)'],
    ["a subnet id", { ...base, aws: { ...base.aws, subnetIds: ["subnet-xyz"] } }, 'aws.subnetIds[0] "subnet-xyz" is not a subnet id (expected subnet- followed by 8 or 17 hex digits)'],
    ["a name reserved for the fleet overview", { ...base, name: "fleet-eu" }, 'name "fleet-eu" is reserved: "fleet" and "fleet-…" name the fleet overview stacks'],
    [
      "a security group id",
      { ...base, controllers: [{ ...base.controllers[0], securityGroupId: "sg-12" }] },
      'controllers[0].securityGroupId "sg-12" is not a security group id (expected sg- followed by 8 or 17 hex digits)',
    ],
    [
      "a role ARN",
      { ...base, aws: { ...base.aws, assumeRoleArn: "deployer" } },
      'aws.assumeRoleArn "deployer" is not an IAM role ARN (expected arn:aws:iam::<12-digit account>:role/<name>)',
    ],
    [
      "a secret ARN",
      { ...base, controllers: [{ ...base.controllers[0], secretArn: "vpn-monitor/acme-prod/vns3-a" }] },
      'controllers[0].secretArn "vpn-monitor/acme-prod/vns3-a" is not a Secrets Manager secret ARN (expected arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>)',
    ],
    [
      "a host with its port",
      { ...base, controllers: [{ ...base.controllers[0], host: "10.0.0.1:8000" }] },
      'controllers[0].host "10.0.0.1:8000" is not an IPv4 address or host name (expected e.g. 10.0.1.10 or vns3.internal.example; the port goes in port)',
    ],
  ])("%s", (_what, input, expected) => {
    expect(problems(input)).toEqual([`${FILE}: ${expected}`]);
  });
});

describe("secret ARNs carry Secrets Manager's six-character suffix", () => {
  const hint =
    "lacks the six characters Secrets Manager appends to a secret's ARN (e.g. …-AbCdEf): IAM would match no secret and the checker would be denied at run time. " +
    "Copy the full ARN from `aws secretsmanager describe-secret --secret-id <name> --query ARN`";

  it("refuses a controller's or the Datadog key's ARN without it", () => {
    const partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme-prod/vns3-a";
    const partialKey = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/datadog-api-key";
    expect(problems({ ...base, controllers: [{ ...base.controllers[0], secretArn: partial }], datadog: { site: "EU", apiKeySecretArn: partialKey } })).toEqual([
      `${FILE}: controllers[0].secretArn "${partial}" ${hint}`,
      `${FILE}: datadog.apiKeySecretArn "${partialKey}" ${hint}`,
    ]);
  });

  it("accepts the full ARN", () => {
    expect(parsed(base).controllers[0]!.secretArn).toBe("arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme-prod/vns3-a-AbCdEf");
  });
});

describe("regions come from the AWS SDK's list", () => {
  const expected = "(expected one of the 40 regions of the aws, aws-cn and aws-us-gov partitions, such as eu-west-1";

  it("suggests the region meant", () => {
    expect(problems({ ...base, aws: { ...base.aws, region: "eu-west-9" } })).toEqual([`${FILE}: aws.region "eu-west-9" is not an AWS region ${expected}; did you mean "eu-west-1"?)`]);
  });

  it("refuses a region shaped right that does not exist, and checks the state bucket's region too", () => {
    expect(problems({ ...base, aws: { ...base.aws, region: "us-moon-1" }, backend: { type: "s3", bucket: "acme-state", region: "mars" } })).toEqual([
      `${FILE}: aws.region "us-moon-1" is not an AWS region ${expected})`,
      `${FILE}: backend.region "mars" is not an AWS region ${expected})`,
    ]);
  });
});

describe("unknown fields", () => {
  it("suggests the field meant", () => {
    const { controllers, ...rest } = base;
    expect(problems({ ...rest, monitor: { windowMinute: 10 }, controler: controllers })).toEqual([
      `${FILE}: controllers is required`,
      `${FILE}: monitor.windowMinute is not a known field (did you mean "windowMinutes"?)`,
      `${FILE}: controler is not a known field (did you mean "controllers"?)`,
    ]);
  });

  it("lists the fields expected there when nothing is close", () => {
    expect(problems({ ...base, lambda: { cpu: 2 } })).toEqual([
      `${FILE}: lambda.cpu is not a known field (expected one of memoryMb, timeoutSeconds, logRetentionDays, reservedConcurrency)`,
    ]);
  });

  it("knows the fields of every branch of the backend and of list items", () => {
    expect(problems({ ...base, backend: { type: "s3", bucket: "acme-state", kmsKeyID: KEY_ARN } })).toEqual([`${FILE}: backend.kmsKeyID is not a known field (did you mean "kmsKeyId"?)`]);
    const { secretArn, ...controller } = base.controllers[0]!;
    expect(problems({ ...base, controllers: [{ ...controller, secretARN: secretArn }] })).toEqual([`${FILE}: controllers[0].secretARN is not a known field (did you mean "secretArn"?)`]);
    expect(knownFieldsAt(["backend"])).toEqual(["type", "bucket", "key", "region", "dynamodbTable", "kmsKeyId", "fleet"]);
  });

  it("does not suggest a field already present", () => {
    expect(problems({ ...base, monitor: { mode: "simple", modes: "x" } })).toEqual([
      `${FILE}: monitor.modes is not a known field (expected one of mode, windowMinutes, priority, renotifyIntervalMinutes, message, restrictedRoles)`,
    ]);
  });
});

describe("monitor.mode", () => {
  it.each<[string, string]>([
    ["simple", "simple"],
    ["partner", "partner"],
    ["tunnel", "tunnel"],
    ["multi", "tunnel"],
  ])("reads %s as %s", (mode, expected) => {
    expect(parsed({ ...base, monitor: { mode } }).monitor.mode).toBe(expected);
  });

  it("defaults to simple", () => {
    expect(parsed(base).monitor.mode).toBe("simple");
  });

  it("refuses anything else, with a suggestion for a near miss", () => {
    const expected = 'must be "simple", "partner" or "tunnel" ("multi" is accepted as another name for "tunnel")';
    expect(problems({ ...base, monitor: { mode: "partners" } })).toEqual([`${FILE}: monitor.mode "partners" ${expected}; did you mean "partner"?`]);
    expect(problems({ ...base, monitor: { mode: "grouped" } })).toEqual([`${FILE}: monitor.mode "grouped" ${expected}`]);
    expect(problems({ ...base, monitor: { mode: 2 } })).toEqual([`${FILE}: monitor.mode 2 ${expected}`]);
  });

  it("says which windows Datadog accepts", () => {
    expect(problems({ ...base, monitor: { windowMinutes: 7 } })).toEqual([`${FILE}: monitor.windowMinutes 7 is not a window Datadog accepts (expected one of 1, 5, 10, 15, 30, 60, 120, 240, 1440)`]);
  });
});

describe("monitor.restrictedRoles", () => {
  it("accepts Datadog role ids", () => {
    expect(parsed({ ...base, monitor: { restrictedRoles: [ROLE] } }).monitor.restrictedRoles).toEqual([ROLE]);
  });

  it("refuses anything but role ids, an empty list and a repeated role", () => {
    expect(problems({ ...base, monitor: { restrictedRoles: ["Datadog Admin Role"] } })).toEqual([
      `${FILE}: monitor.restrictedRoles[0] "Datadog Admin Role" is not a Datadog role id (expected a UUID such as 5b9c1a6e-0f3d-11ee-9f0b-da7ad0900002, the data.id of Datadog's Roles API)`,
    ]);
    expect(problems({ ...base, monitor: { restrictedRoles: [] } })).toEqual([`${FILE}: monitor.restrictedRoles needs at least one role id (leave the field out for no restriction)`]);
    expect(problems({ ...base, monitor: { restrictedRoles: [ROLE, ROLE] } })).toEqual([`${FILE}: monitor.restrictedRoles lists a role twice`]);
  });
});

describe("lambda.reservedConcurrency", () => {
  it("is unset unless asked for", () => {
    expect(parsed(base).lambda.reservedConcurrency).toBeUndefined();
    expect(parsed({ ...base, lambda: { reservedConcurrency: 1 } }).lambda.reservedConcurrency).toBe(1);
  });

  it("must be a whole number of at least 1", () => {
    expect(problems({ ...base, lambda: { reservedConcurrency: 0 } })).toEqual([`${FILE}: lambda.reservedConcurrency 0 must be at least 1 (leave the field out for no reservation)`]);
    expect(problems({ ...base, lambda: { reservedConcurrency: 1.5 } })).toEqual([
      `${FILE}: lambda.reservedConcurrency 1.5 must be a whole number (expected at least 1; 1 is enough for one check a minute)`,
    ]);
  });
});

describe("backend.kmsKeyId", () => {
  it("accepts a key ARN or an alias ARN", () => {
    const alias = "arn:aws:kms:eu-west-1:123456789012:alias/terraform-state";
    for (const kmsKeyId of [KEY_ARN, alias]) expect(parsed({ ...base, backend: { type: "s3", bucket: "acme-state", kmsKeyId } }).backend).toMatchObject({ kmsKeyId });
  });

  it("refuses anything else, saying what it expected", () => {
    expect(problems({ ...base, backend: { type: "s3", bucket: "acme-state", kmsKeyId: "alias/terraform-state" } })).toEqual([
      `${FILE}: backend.kmsKeyId "alias/terraform-state" is not a KMS key ARN (expected arn:aws:kms:<region>:<12-digit account>:key/<key id> or arn:aws:kms:<region>:<12-digit account>:alias/<name>)`,
    ]);
  });
});

describe("ticketing.webhookUrl", () => {
  const withUrl = (webhookUrl: string, secretVariables: string[] = []) => ({ ...base, ticketing: { webhookUrl, secretVariables } });

  it("refuses a credential in the query, points to a secret variable, and never echoes the URL", () => {
    const found = problems(withUrl("https://tickets.example.com/hook?project=NET&token=s3cr3t-v4lue"));
    expect(found).toEqual([
      `${FILE}: ticketing.webhookUrl carries a credential in its query parameter "token": declare a secret variable in secretVariables (e.g. TICKET_TOKEN) and write ?token=$TICKET_TOKEN; Datadog substitutes custom variables in the URL too, and the value stays out of this file and the review`,
    ]);
    expect(found.join("\n")).not.toContain("s3cr3t");
  });

  it("accepts a credential parameter that references a declared secret variable", () => {
    expect(parsed(withUrl("https://tickets.example.com/hook?api_key=$TICKET_TOKEN", ["TICKET_TOKEN"])).ticketing.webhookUrl).toBe("https://tickets.example.com/hook?api_key=$TICKET_TOKEN");
  });

  it("refuses a reference to a variable that is not declared", () => {
    expect(problems(withUrl("https://tickets.example.com/hook?access_token=$TICKET_TOKEN"))).toEqual([
      `${FILE}: ticketing.webhookUrl query parameter "access_token" references $TICKET_TOKEN, which is not in ticketing.secretVariables (expected a declared secret variable)`,
    ]);
  });

  it("lets ordinary query parameters through", () => {
    expect(parsed(withUrl("https://tickets.example.com/hook?project=NET&queue=vpn")).ticketing.webhookUrl).toBe("https://tickets.example.com/hook?project=NET&queue=vpn");
  });

  it("refuses credentials before the host without echoing them", () => {
    const found = problems(withUrl("https://bot:hunter2@tickets.example.com/hook"));
    expect(found).toEqual([
      `${FILE}: ticketing.webhookUrl must be an https:// URL without credentials in it: put them in a secretVariables entry and a customHeaders value ($NAME)`,
    ]);
  });

  it("says what it expected of a URL that is not https", () => {
    expect(problems(withUrl("http://tickets.example.com/hook"))).toEqual([
      `${FILE}: ticketing.webhookUrl "http://tickets.example.com/hook" must be an https:// URL (Datadog sends the alert, and any token, over it)`,
    ]);
    expect(problems(withUrl("tickets"))).toEqual([`${FILE}: ticketing.webhookUrl "tickets" is not a URL (expected https://host/path)`]);
  });
});

describe("certificate rotation and credential expiry fields", () => {
  it("reads tlsSha256Next and credentialExpires in canonical form", () => {
    const next = "12".repeat(32);
    const def = parsed({ ...base, controllers: [{ ...base.controllers[0], tlsSha256Next: next, credentialExpires: "2027-03-31" }] } as EnvironmentInput);
    expect(def.controllers[0]).toMatchObject({ tlsSha256Next: "12:".repeat(31) + "12", credentialExpires: "2027-03-31" });
  });

  it.each<[unknown, string]>([
    [{ credentialExpires: "2027-13-01" }, "controllers[0].credentialExpires is not a date YYYY-MM-DD (e.g. 2027-03-31)"],
    [{ credentialExpires: 20270331 }, "controllers[0].credentialExpires must be a date YYYY-MM-DD (e.g. 2027-03-31), quoted"],
    [{ tlsSha256Next: "abcd" }, "controllers[0].tlsSha256Next \"abcd\" is not a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's `sha256 Fingerprint=` prefix is fine)"],
  ])("refuses %j", (patch, expected) => {
    expect(problems({ ...base, controllers: [{ ...base.controllers[0], ...(patch as object) }] })).toEqual([`${FILE}: ${expected}`]);
  });
});
