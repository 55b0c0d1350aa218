/** `npm run check` configures the checker through the checker's own parser, as the Lambda does. */
import { checkSetup } from "../../../cli/check/setup";
import { validateEnvironment } from "../../../stacks/environment/load";
import type { EnvironmentDefinition } from "../../../contract/definition/schema";

const FP = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lab/vns3-b-AbCdEf";

function definition(): EnvironmentDefinition {
  const result = validateEnvironment("lab.yaml", {
    name: "lab",
    aws: { region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60001"] },
    controllers: [
      { name: "vns3-a", host: "10.0.1.10", securityGroupId: "sg-0a1b2c3d4e5f60101", tlsSha256: FP.toLowerCase().replace(/:/g, "") },
      { name: "vns3-b", host: "10.0.1.11", port: 8443, securityGroupId: "sg-0a1b2c3d4e5f60102", secretArn: ARN, tlsSha256: FP },
    ],
    datadog: { site: "datadoghq.eu" },
    ticketing: { webhookUrl: "https://tickets.example.com/hook" },
  });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.definition;
}

describe("checkSetup", () => {
  it("gives the stack's secrets by name, the definition's by ARN, in the checker's own config shape", () => {
    const setup = checkSetup(definition(), {});

    expect(setup.problems).toEqual([]);
    expect(setup.config).toEqual({
      environment: "lab",
      controllers: [
        { name: "vns3-a", host: "10.0.1.10", port: 8000, tlsSha256: FP, credentials: { kind: "secret", secretArn: "vpn-monitor/lab/vns3-a" } },
        { name: "vns3-b", host: "10.0.1.11", port: 8443, tlsSha256: FP, credentials: { kind: "secret", secretArn: ARN } },
      ],
      datadog: { site: "datadoghq.eu", apiKey: { kind: "secret", secretArn: "vpn-monitor/lab/datadog-api-key" } },
      signals: new Set(["traffic", "phase", "health", "expiry"]),
    });
    expect(setup.credentialSources).toEqual({ "vns3-a": "secret vpn-monitor/lab/vns3-a", "vns3-b": `secret ${ARN}` });
    expect(setup.apiKeySource).toBe("secret vpn-monitor/lab/datadog-api-key");
  });

  it("puts local credentials inline, as the checker's config allows, and remembers them for the redactor", () => {
    const setup = checkSetup(definition(), { VNS3_VNS3_A_PASSWORD: "pw-1", VNS3_VNS3_A_USERNAME: "admin", VNS3_VNS3_B_API_TOKEN: "tok-2", DD_API_KEY: "key-3", DD_API_URL: "http://127.0.0.1:9/" });

    expect(setup.config?.controllers.map((c) => c.credentials)).toEqual([
      { kind: "basic", username: "admin", password: "pw-1" },
      { kind: "token", apiToken: "tok-2" },
    ]);
    expect(setup.config?.datadog).toEqual({ site: "datadoghq.eu", apiUrl: "http://127.0.0.1:9", apiKey: { kind: "inline", apiKey: "key-3" } });
    expect(setup.secrets).toEqual(["pw-1", "tok-2", "key-3"]);
    expect(setup.credentialSources).toEqual({ "vns3-a": "env VNS3_VNS3_A_PASSWORD (user admin)", "vns3-b": "env VNS3_VNS3_B_API_TOKEN" });
  });

  it("reports what the checker's parser refuses, and conflicting local variables, by name", () => {
    const setup = checkSetup(definition(), { VNS3_VNS3_A_PASSWORD: "pw", VNS3_VNS3_A_API_TOKEN: "tok", DD_API_URL: "ftp://x" });

    expect(setup.config).toBeUndefined();
    expect(setup.problems).toEqual([
      "VNS3_VNS3_A_PASSWORD and VNS3_VNS3_A_API_TOKEN are both set: set one",
      "checker configuration DD_API_URL: expected an http(s) base URL without query, fragment or credentials, e.g. https://api.datadoghq.com",
    ]);
  });
});
