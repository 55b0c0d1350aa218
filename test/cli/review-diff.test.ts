import { diffTrees, isSecretPath, type StackJson } from "../../cli/review/diff";
import { MASK, renderReport } from "../../cli/review/render";

const monitor = (query: string, message = "Down {{#is_alert}}x{{/is_alert}} @webhook-tickets") => ({
  "//": { metadata: { path: "vpn-monitor-acme/monitors/tunnels" } },
  name: "VPN tunnel down: acme",
  type: "query alert",
  query,
  message,
  monitor_thresholds: { critical: "1" },
});

function stack(overrides: Record<string, unknown> = {}): StackJson {
  return {
    "//": { metadata: { version: "0.21.0" } },
    terraform: { backend: { local: { path: "../../../terraform.vpn-monitor-acme.tfstate" } } },
    provider: { aws: [{ region: "eu-west-1" }] },
    resource: {
      datadog_monitor: { monitors_tunnels_1: monitor("min(last_5m):min:vpn.tunnel.status{vpn_environment:acme} < 1") },
      aws_lambda_function: { checker_function_1: { function_name: "vpn-monitor-acme-checker", filename: "assets/checker-code/AAAA/archive.zip", source_code_hash: "AAAA", memory_size: 256 } },
      ...((overrides.resource as object | undefined) ?? {}),
    },
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== "resource")),
  };
}

const tree = (...stacks: [string, StackJson][]) => new Map(stacks);

describe("review diff", () => {
  it("reports nothing for identical trees", () => {
    const diff = diffTrees(tree(["vpn-monitor-acme", stack()]), tree(["vpn-monitor-acme", stack()]));
    expect(diff.changed).toBe(false);
    expect(diff.stacks).toEqual([{ stack: "vpn-monitor-acme", status: "unchanged", monitors: [], entries: [] }]);
    expect(renderReport(diff, "main")).toContain("## acme: no changes");
  });

  it("calls out a monitor's mode, query and notification change first", () => {
    const after = stack({
      resource: { datadog_monitor: { monitors_tunnels_1: monitor("min(last_5m):min:vpn.tunnel.status{vpn_environment:acme} by {tunnel} < 1", "Down @webhook-tickets @slack-netops") } },
    });

    const diff = diffTrees(tree(["vpn-monitor-acme", stack()]), tree(["vpn-monitor-acme", after]));

    expect(diff.stacks[0]!.monitors).toEqual([
      {
        address: "datadog_monitor.monitors_tunnels_1",
        name: "VPN tunnel down: acme",
        kind: "changed",
        query: { before: "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme} < 1", after: "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme} by {tunnel} < 1" },
        mode: { before: "simple", after: "multi (tunnel)" },
        notifications: { before: ["@webhook-tickets"], after: ["@slack-netops", "@webhook-tickets"] },
        otherChanges: [expect.objectContaining({ path: "message" })],
      },
    ]);
    const report = renderReport(diff, "main");
    expect(report.indexOf("### Monitoring changes")).toBeLessThan(report.indexOf("### Resources"));
    expect(report).toContain("  - mode: `simple` → `multi (tunnel)`");
  });

  it("shows a new bundle as a code change, not as two attribute changes", () => {
    const after = stack({ resource: { aws_lambda_function: { checker_function_1: { function_name: "vpn-monitor-acme-checker", filename: "assets/checker-code/BBBB/archive.zip", source_code_hash: "BBBB", memory_size: 256 } } } });

    const diff = diffTrees(tree(["vpn-monitor-acme", stack()]), tree(["vpn-monitor-acme", after]));

    expect(diff.stacks[0]).toMatchObject({ status: "changed", codeChange: { before: "AAAA", after: "BBBB" }, entries: [] });
    expect(renderReport(diff, "main")).toContain("Lambda code changed (bundle hash `AAAA` → `BBBB`)");
  });

  it("diffs inside JSON documents such as IAM policies", () => {
    const policy = (resource: string) => JSON.stringify({ Statement: [{ Action: ["secretsmanager:GetSecretValue"], Resource: [resource] }] });
    const before = stack({ resource: { aws_iam_role_policy: { p: { policy: policy("arn:one") } } } });
    const after = stack({ resource: { aws_iam_role_policy: { p: { policy: policy("arn:two") } } } });

    const diff = diffTrees(tree(["vpn-monitor-acme", before]), tree(["vpn-monitor-acme", after]));

    expect(diff.stacks[0]!.entries).toEqual([
      {
        address: "aws_iam_role_policy.p",
        type: "aws_iam_role_policy",
        kind: "changed",
        changes: [
          { path: "policy{json}.Statement[0].Resource[-]", before: "arn:one", sensitive: false },
          { path: "policy{json}.Statement[0].Resource[+]", after: "arn:two", sensitive: false },
        ],
      },
    ]);
  });

  it("compares lists of values as lists: an insertion is one addition, a reordering says so", () => {
    const withSubnets = (ids: string[]) => stack({ resource: { aws_lambda_function: { checker_function_1: { function_name: "f", filename: "x", source_code_hash: "AAAA", vpc_config: { subnet_ids: ids } } } } });

    const inserted = diffTrees(tree(["s", withSubnets(["subnet-a", "subnet-c"])]), tree(["s", withSubnets(["subnet-a", "subnet-b", "subnet-c"])]));
    const reordered = diffTrees(tree(["s", withSubnets(["subnet-a", "subnet-c"])]), tree(["s", withSubnets(["subnet-c", "subnet-a"])]));

    expect(inserted.stacks[0]!.entries[0]!.changes).toEqual([{ path: "vpc_config.subnet_ids[+]", after: "subnet-b", sensitive: false }]);
    expect(reordered.stacks[0]!.entries[0]!.changes).toEqual([{ path: "vpc_config.subnet_ids (order)", before: "subnet-a, subnet-c", after: "subnet-c, subnet-a", sensitive: false }]);
  });

  it("reports environments added and removed", () => {
    const diff = diffTrees(tree(["vpn-monitor-old", stack()]), tree(["vpn-monitor-new", stack()]));

    expect(diff.stacks.map((s) => [s.stack, s.status])).toEqual([
      ["vpn-monitor-new", "added"],
      ["vpn-monitor-old", "removed"],
    ]);
    const report = renderReport(diff, "main");
    expect(report).toContain("## new: new environment");
    expect(report).toContain("## old: environment removed");
    expect(report).toContain("2 environments: 0 changed, 1 added, 1 removed, 0 unchanged.");
  });
});

describe("review masking", () => {
  const CANARY = "canary-secret-4f9e";

  it.each([
    ["custom_headers{json}.Authorization", true],
    ["environment.variables.DD_API_KEY", true],
    ["password", true],
    ["settings.apiToken", true],
    ["client_secret", true],
    ["environment.variables.DD_API_KEY_SECRET_ARN", false],
    ["environment.variables.VNS3_CONTROLLERS{json}[0].secretArn", false],
    ["name", false],
    ["query", false],
    ["is_secret", false],
  ])("%s is secret: %s", (attributePath, secret) => {
    expect(isSecretPath(attributePath)).toBe(secret);
  });

  it("masks values fed by a sensitive variable, secret-named attributes and sensitive defaults, and still says they changed", () => {
    const variable = (def?: string) => ({ webhook_secret_TOKEN: { type: "string", sensitive: true, ...(def ? { default: def } : {}) } });
    const before = stack({
      variable: variable(),
      resource: {
        datadog_webhook_custom_variable: { v: { name: "TOKEN", value: "${var.webhook_secret_TOKEN}", is_secret: true } },
        datadog_webhook: { w: { name: "tickets", url: "https://t.example.com/a", custom_headers: JSON.stringify({ Authorization: "Bearer old-literal" }) } },
      },
    });
    const after = stack({
      variable: variable(CANARY),
      resource: {
        datadog_webhook_custom_variable: { v: { name: "TOKEN", value: `prefix \${var.webhook_secret_TOKEN}`, is_secret: true } },
        datadog_webhook: { w: { name: "tickets", url: "https://t.example.com/b", custom_headers: JSON.stringify({ Authorization: `Bearer ${CANARY}` }) } },
        aws_lambda_function: { checker_function_1: { function_name: "vpn-monitor-acme-checker", filename: "assets/checker-code/AAAA/archive.zip", source_code_hash: "AAAA", memory_size: 256, environment: { variables: { API_TOKEN: CANARY } } } },
      },
    });

    const report = renderReport(diffTrees(tree(["vpn-monitor-acme", before]), tree(["vpn-monitor-acme", after])), "main");

    expect(report).not.toContain(CANARY);
    expect(report).not.toContain("old-literal");
    expect(report).toContain(`\`custom_headers{json}.Authorization\`: ${MASK} → ${MASK} (changed)`);
    expect(report).toContain(`\`value\`: ${MASK} → ${MASK} (changed)`);
    expect(report).toContain(`\`default\`: ${MASK}`);
    expect(report).toContain(`\`environment.variables.API_TOKEN\`: ${MASK}`);
    expect(report).toContain("`url`: `https://t.example.com/a` → `https://t.example.com/b`");
  });
});
