import { ConfigError, parseCheckerConfig, type EnvRecord } from "../../handler/config";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vns3/prod-a-AbCdEf";
const KEY_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:datadog/api-key-XyZ123";
const ARN_EXPECTED = "expected a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters> (or the secret's name without arn:)";
const NAME_EXPECTED = "expected a Secrets Manager secret name (1-512 ASCII letters, digits and /_+=.@-) or ARN (arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>)";
const PIN = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

function env(overrides: Record<string, string | undefined> = {}): EnvRecord {
  return {
    VPN_ENVIRONMENT: "production",
    VNS3_CONTROLLERS: JSON.stringify([{ name: "vns3-a", host: "10.0.1.10", secretArn: ARN, tlsSha256: PIN }]),
    DD_API_KEY_SECRET_ARN: KEY_ARN,
    ...overrides,
  };
}

function issuesOf(e: EnvRecord): readonly string[] {
  try {
    parseCheckerConfig(e);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseCheckerConfig", () => {
  it("reads a rotation's next pin and the credential's end date", () => {
    const next = "sha256 Fingerprint=" + "12:".repeat(31) + "12";
    const config = parseCheckerConfig(env({ VNS3_CONTROLLERS: JSON.stringify([{ name: "vns3-a", host: "10.0.1.10", secretArn: ARN, tlsSha256: PIN, tlsSha256Next: next, credentialExpires: "2027-03-31" }]) }));
    expect(config.controllers[0]).toEqual({
      name: "vns3-a",
      host: "10.0.1.10",
      port: 8000,
      tlsSha256: PIN,
      tlsSha256Next: "12:".repeat(31) + "12",
      credentialExpires: "2027-03-31",
      credentials: { kind: "secret", secretArn: ARN },
    });
  });

  it("parses a deployed configuration and applies defaults", () => {
    expect(parseCheckerConfig(env())).toEqual({
      environment: "production",
      controllers: [
        {
          name: "vns3-a",
          host: "10.0.1.10",
          port: 8000,
          // The canonical form, whatever form the variable carried (contract/fingerprint.ts).
          tlsSha256: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
          credentials: { kind: "secret", secretArn: ARN },
        },
      ],
      datadog: { site: "datadoghq.com", apiKey: { kind: "secret", secretArn: KEY_ARN } },
      signals: new Set(["traffic", "phase", "health", "expiry"]),
    });
  });

  it("parses inline credentials, a custom port, DD_SITE and DD_API_URL for local runs", () => {
    const config = parseCheckerConfig(
      env({
        VNS3_CONTROLLERS: JSON.stringify([
          { name: "a", host: "vns3-a.internal", port: 8443, username: "api", password: "pw-123" },
          { name: "b", host: "[fd00::1]", apiToken: "tok-456" },
        ]),
        DD_API_KEY_SECRET_ARN: undefined,
        DD_API_KEY: "0123456789abcdef",
        DD_SITE: "datadoghq.eu",
        DD_API_URL: "http://127.0.0.1:9999/proxy/",
      }),
    );
    expect(config.controllers).toEqual([
      { name: "a", host: "vns3-a.internal", port: 8443, credentials: { kind: "basic", username: "api", password: "pw-123" } },
      { name: "b", host: "fd00::1", port: 8000, credentials: { kind: "token", apiToken: "tok-456" } },
    ]);
    expect(config.datadog).toEqual({ site: "datadoghq.eu", apiUrl: "http://127.0.0.1:9999/proxy", apiKey: { kind: "inline", apiKey: "0123456789abcdef" } });
  });

  it("takes a secret's name as well as its ARN, as GetSecretValue does, for a controller and the API key", () => {
    const config = parseCheckerConfig(
      env({
        VNS3_CONTROLLERS: JSON.stringify([
          { name: "a", host: "h1", secretArn: "vpn-monitor/production/vns3-a" },
          // Every character CreateSecret allows in a name, and a partial ARN (no suffix), which GetSecretValue also resolves.
          { name: "b", host: "h2", secretArn: "team_1/vns3+b=x.y@z-1" },
          { name: "c", host: "h3", secretArn: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:vns3/c" },
        ]),
        DD_API_KEY_SECRET_ARN: " vpn-monitor/production/datadog-api-key ",
      }),
    );

    expect(config.controllers.map((c) => c.credentials)).toEqual([
      { kind: "secret", secretArn: "vpn-monitor/production/vns3-a" },
      { kind: "secret", secretArn: "team_1/vns3+b=x.y@z-1" },
      { kind: "secret", secretArn: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:vns3/c" },
    ]);
    expect(config.datadog.apiKey).toEqual({ kind: "secret", secretArn: "vpn-monitor/production/datadog-api-key" });
  });

  it("takes a name of up to 512 characters, CreateSecret's limit", () => {
    const controller = (secretArn: string) => env({ VNS3_CONTROLLERS: JSON.stringify([{ name: "a", host: "h1", secretArn }]) });

    expect(parseCheckerConfig(controller("n".repeat(512))).controllers[0]?.credentials).toEqual({ kind: "secret", secretArn: "n".repeat(512) });
    expect(issuesOf(controller("n".repeat(513)))).toEqual([`VNS3_CONTROLLERS[0].secretArn: ${NAME_EXPECTED}`]);
  });

  it.each([
    ["datadog api key", NAME_EXPECTED],
    ["arn:aws:secretsmanager:eu-west-1:123456789012:datadog-api-key", ARN_EXPECTED],
  ])("names DD_API_KEY_SECRET_ARN and what it expects for %j, without quoting it", (value, expected) => {
    const issues = issuesOf(env({ DD_API_KEY_SECRET_ARN: value }));

    expect(issues).toEqual([`DD_API_KEY_SECRET_ARN: ${expected}`]);
    expect(issues.join("\n")).not.toContain(value);
  });

  it("treats empty variables as unset", () => {
    expect(parseCheckerConfig(env({ DD_SITE: "", DD_API_URL: "  ", DD_API_KEY: "" })).datadog).toEqual({
      site: "datadoghq.com",
      apiKey: { kind: "secret", secretArn: KEY_ARN },
    });
  });

  it("names the variable, index and field of a bad port", () => {
    const controllers = [
      { name: "a", host: "h1", secretArn: ARN },
      { name: "b", host: "h2", port: 70000, secretArn: ARN },
    ];
    expect(issuesOf(env({ VNS3_CONTROLLERS: JSON.stringify(controllers) }))).toEqual(["VNS3_CONTROLLERS[1].port: expected an integer 1-65535"]);
  });

  it.each([
    [{ port: "8000" }, "VNS3_CONTROLLERS[0].port: expected an integer 1-65535"],
    [{ port: 80.5 }, "VNS3_CONTROLLERS[0].port: expected an integer 1-65535"],
    [{ tlsSha256: "abcd" }, "VNS3_CONTROLLERS[0].tlsSha256: expected a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's `sha256 Fingerprint=` prefix is fine)"],
    [{ host: "https://10.0.0.1:8000" }, "VNS3_CONTROLLERS[0].host: expected a host name or IP address, without scheme, port or path"],
    [{ name: "" }, "VNS3_CONTROLLERS[0].name: expected a non-empty string"],
    [{ name: "!!" }, "VNS3_CONTROLLERS[0].name: expected at least one letter or digit (it becomes the controller tag)"],
    [{ secretArn: "arn:aws:secretsmanager:eu-west-1:1234:secret:vns3/prod-a-AbCdEf" }, `VNS3_CONTROLLERS[0].secretArn: ${ARN_EXPECTED}`],
    [{ secretArn: "arn:aws:ssm:eu-west-1:123456789012:parameter/vns3" }, `VNS3_CONTROLLERS[0].secretArn: ${ARN_EXPECTED}`],
    [{ secretArn: "vns3 prod a" }, `VNS3_CONTROLLERS[0].secretArn: ${NAME_EXPECTED}`],
    [{ secretArn: "" }, `VNS3_CONTROLLERS[0].secretArn: ${NAME_EXPECTED}`],
    [{ tlsSha: "x" }, 'VNS3_CONTROLLERS[0]: Unrecognized key: "tlsSha"'],
    [{ tlsSha256: PIN, tlsSha256Next: "abcd" }, "VNS3_CONTROLLERS[0].tlsSha256Next: expected a SHA-256 fingerprint: 64 hex digits, separated by colons, spaces or nothing (openssl's `sha256 Fingerprint=` prefix is fine)"],
    [{ tlsSha256Next: PIN }, "VNS3_CONTROLLERS[0].tlsSha256Next: set only with tlsSha256 (it is the next pin of a rotation)"],
    [{ credentialExpires: "2027-02-30" }, "VNS3_CONTROLLERS[0].credentialExpires: expected a date YYYY-MM-DD (e.g. 2027-03-31)"],
    [{ credentialExpires: "31/03/2027" }, "VNS3_CONTROLLERS[0].credentialExpires: expected a date YYYY-MM-DD (e.g. 2027-03-31)"],
    [{ credentialExpires: 20270331 }, "VNS3_CONTROLLERS[0].credentialExpires: expected a date YYYY-MM-DD (e.g. 2027-03-31)"],
  ])("reports %j precisely", (patch, message) => {
    const controller = { name: "a", host: "h1", secretArn: ARN, ...patch };
    expect(issuesOf(env({ VNS3_CONTROLLERS: JSON.stringify([controller]) }))).toEqual([message]);
  });

  it.each([
    [{ name: "a", host: "h" }, "VNS3_CONTROLLERS[0]: no credentials: set secretArn, or username and password, or apiToken"],
    [{ name: "a", host: "h", secretArn: ARN, apiToken: "t0ken" }, "VNS3_CONTROLLERS[0]: set only one of secretArn, username/password, apiToken"],
    [{ name: "a", host: "h", username: "api" }, "VNS3_CONTROLLERS[0].password: required with username"],
    [{ name: "a", host: "h", password: "pw" }, "VNS3_CONTROLLERS[0].username: required with password"],
  ])("requires exactly one credential source: %j", (controller, message) => {
    expect(issuesOf(env({ VNS3_CONTROLLERS: JSON.stringify([controller]) }))).toEqual([message]);
  });

  it("rejects controller names whose tags would collide", () => {
    const controllers = [
      { name: "VNS3 A", host: "h1", secretArn: ARN },
      { name: "vns3_a", host: "h2", secretArn: ARN },
    ];
    expect(issuesOf(env({ VNS3_CONTROLLERS: JSON.stringify(controllers) }))).toEqual([
      "VNS3_CONTROLLERS[1].name: duplicate of VNS3_CONTROLLERS[0].name (controller tags would collide)",
    ]);
  });

  it("reports invalid JSON without quoting it (it may hold an inline password)", () => {
    const issues = issuesOf(env({ VNS3_CONTROLLERS: '[{"name":"a","host":"h","username":"api","password":"hunter2-secret"' }));
    expect(issues).toEqual(["VNS3_CONTROLLERS: not valid JSON"]);
  });

  it("never echoes an inline secret of the wrong type", () => {
    const error = (() => {
      try {
        parseCheckerConfig(env({ VNS3_CONTROLLERS: JSON.stringify([{ name: "a", host: "h", username: "api", password: 987654321 }]) }));
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.message).toContain("VNS3_CONTROLLERS[0].password: expected a non-empty string");
    expect(error.message).not.toContain("987654321");
  });

  it("lists every problem at once, one per variable and field", () => {
    const issues = issuesOf({ VNS3_CONTROLLERS: "[]", DD_SITE: "datadoghq.co", DD_API_URL: "ftp://x" });
    expect(issues).toEqual([
      "VPN_ENVIRONMENT: required (the value of the vpn_environment tag)",
      "VNS3_CONTROLLERS: expected at least one controller",
      "DD_SITE: expected one of datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com (use DD_API_URL for anything else)",
      "DD_API_URL: expected an http(s) base URL without query, fragment or credentials, e.g. https://api.datadoghq.com",
      "DD_API_KEY_SECRET_ARN: required (or DD_API_KEY for local runs)",
    ]);
  });

  it("refuses both API key sources at once", () => {
    expect(issuesOf(env({ DD_API_KEY: "abc123abc123" }))).toEqual([
      "DD_API_KEY_SECRET_ARN: set either DD_API_KEY_SECRET_ARN (deployed) or DD_API_KEY (local runs), not both",
    ]);
  });

  it("requires VNS3_CONTROLLERS to be an array", () => {
    expect(issuesOf(env({ VNS3_CONTROLLERS: '{"name":"a"}' }))).toEqual(["VNS3_CONTROLLERS: expected a JSON array of controllers"]);
  });

  it("puts all issues in the error message", () => {
    expect(() => parseCheckerConfig({})).toThrow(/^invalid checker configuration:\n {2}VPN_ENVIRONMENT: required/);
  });
});
