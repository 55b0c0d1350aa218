import { diffTrees, type StackJson } from "../../cli/review/diff";
import { createScrubber, isHarmlessValue, isSecretPath, LONG_PATH_SEGMENT, looksLikeSecretValue, MASK, maskWebhookUrl } from "../../cli/review/mask";
import { renderJson, renderReport } from "../../cli/review/render";

/** Never a real credential; must not appear in any report. */
const CANARY = "canary-5f0e-do-not-print";
const context = { baseLabel: "main (abc)" };

describe("review masking by name", () => {
  it.each([
    ["custom_headers{json}.Authorization", true],
    ["custom_headers{json}.X-Api-Key", true],
    ["environment.variables.DD_API_KEY", true],
    ["environment.variables.DD_APP_KEY", true],
    ["password", true],
    ["db_passwd", true],
    ["settings.apiToken", true],
    ["client_secret", true],
    ["credentials.user", true],
    ["cookie", true],
    ["private_key", true],
    ["tls.keys[0]", true],
    ["environment.variables.DD_API_KEY_SECRET_ARN", false],
    ["environment.variables.VNS3_CONTROLLERS{json}[0].secretArn", false],
    ["secret_name", false],
    ["kms_key_id", false],
    ["is_secret", false],
    ["name", false],
    ["query", false],
    ["monkey", false],
    ["vpc_config.subnet_ids", false],
    ["policy{json}.Statement[1].Resource[+]", false],
  ])("%s is secret: %s", (attributePath, secret) => {
    expect(isSecretPath(attributePath)).toBe(secret);
  });
});

describe("review masking by value", () => {
  it.each([
    ["true", true],
    ["${aws_secretsmanager_secret.controller.arn}", true],
    ["$ALERT_CYCLE_KEY", true],
    ["$TICKET_TOKEN", true], // a custom variable of the stack: its name, not its value
    ["$NOT_DECLARED", false],
    ["Bearer $TICKET_TOKEN", false],
    ["hunter2", false],
  ])("%s is harmless: %s", (value, harmless) => {
    expect(isHarmlessValue(value, new Set(["TICKET_TOKEN"]))).toBe(harmless);
  });

  it.each([
    ["AKIAIOSFODNN7EXAMPLE", true],
    ["Bearer abcdefghijklmnop", true],
    ["0123456789abcdef0123456789abcdef", true], // Datadog API key shape
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", true],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlMTIz", true],
    ["Bearer $TICKET_TOKEN", false],
    ["https://tickets.example.com/api", false],
    ["AAAA1111AAAA1111AAAA1111AAAA1111", false], // a cdktf asset hash: upper case
    ["3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E", false],
    ["min(last_5m):min:vpn.tunnel.status{vpn_environment:acme} < 1", false],
  ])("%s looks like a secret: %s", (value, secret) => {
    expect(looksLikeSecretValue(value)).toBe(secret);
  });

  it("scrubs known literals and credential shapes from running text", () => {
    const scrub = createScrubber([CANARY, "short"]);

    expect(scrub(`a ${CANARY} b https://u:p4ss@h.example.com/x AKIAIOSFODNN7EXAMPLE short`)).toBe(`a ${MASK} b https://${MASK}@h.example.com/x ${MASK} short`);
  });
});

describe("review masking in a diff", () => {
  const variables = (value?: string) => ({
    webhook_secret_TICKET_TOKEN: { type: "string", sensitive: true, ...(value ? { default: value } : {}) },
    region: { type: "string", default: "eu-west-1" },
  });

  function stack(secret: string, url: string, variableDefault?: string): StackJson {
    return {
      variable: variables(variableDefault),
      output: {
        token_echo: { value: `${secret}-out`, sensitive: true },
        monitor_id: { value: "${datadog_monitor.m.id}" },
      },
      resource: {
        datadog_webhook_custom_variable: { v: { name: "TICKET_TOKEN", value: "${var.webhook_secret_TICKET_TOKEN}", is_secret: true } },
        datadog_webhook: {
          w: {
            name: "tickets",
            url,
            custom_headers: JSON.stringify({ Authorization: `Bearer ${secret}`, "X-Ticket-Token": "$TICKET_TOKEN", "Content-Type": "application/json" }),
            payload: JSON.stringify({ dedup_key: "$ALERT_CYCLE_KEY", auth: { password: secret }, note: `see ${secret}` }),
          },
        },
        aws_lambda_function: {
          f: { function_name: "checker", environment: { variables: { API_TOKEN: secret, DD_API_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dd-AbCdEf" } } },
        },
      },
      terraform: { backend: { s3: { bucket: "state", key: "vpn-monitor/acme.tfstate" } } },
    };
  }

  const before = stack("old-literal-value", "https://tickets.example.com/a");
  const after = stack(CANARY, `https://bot:${CANARY}@tickets.example.com/b`, CANARY);
  const diff = diffTrees(new Map([["vpn-monitor-acme", before]]), new Map([["vpn-monitor-acme", after]]));
  const report = renderReport(diff, context);
  const json = renderJson(diff, context);
  const changeOf = (address: string, path: string) => diff.stacks[0]!.entries.find((e) => e.address === address)?.changes.find((c) => c.path === path);

  it("never prints a secret, in Markdown or in JSON", () => {
    for (const text of [report, json]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain("old-literal-value");
    }
  });

  it("masks headers and payload fields named like credentials, inside embedded JSON, and says they changed", () => {
    expect(changeOf("datadog_webhook.w", "custom_headers{json}.Authorization")).toEqual({ path: "custom_headers{json}.Authorization", before: MASK, after: MASK, sensitive: true });
    expect(changeOf("datadog_webhook.w", "payload{json}.auth.password")).toMatchObject({ before: MASK, after: MASK, sensitive: true });
    expect(report).toContain(`  - \`custom_headers{json}.Authorization\`: ${MASK} → ${MASK} (changed)`);
  });

  it("masks a value that reuses a masked literal elsewhere", () => {
    expect(changeOf("datadog_webhook.w", "payload{json}.note")).toMatchObject({ before: `see ${MASK}`, after: `see ${MASK}` });
  });

  it("masks credentials in a URL and keeps the rest", () => {
    expect(changeOf("datadog_webhook.w", "url")).toMatchObject({ before: "https://tickets.example.com/a", after: `https://${MASK}@tickets.example.com/b` });
  });

  it("masks the default of a sensitive variable and the value of a sensitive output, not their other fields", () => {
    expect(changeOf("variable.webhook_secret_TICKET_TOKEN", "default")).toEqual({ path: "default", after: MASK, sensitive: true });
    expect(changeOf("output.token_echo", "value")).toMatchObject({ before: MASK, after: MASK, sensitive: true });
    expect(report).toContain(`- ✏️ changed \`variable.webhook_secret_TICKET_TOKEN\`\n  - \`default\`: ${MASK}`);
  });

  it("masks environment variables named like credentials, and shows where secrets live", () => {
    expect(changeOf("aws_lambda_function.f", "environment.variables.API_TOKEN")).toMatchObject({ before: MASK, after: MASK, sensitive: true });
    expect(report).not.toContain("DD_API_KEY_SECRET_ARN`: (sensitive)");
  });

  it("masks any value that references a sensitive variable, even inside text", () => {
    const withValue = (value: string): StackJson => ({
      variable: variables(),
      resource: { datadog_webhook_custom_variable: { v: { name: "TICKET_TOKEN", value, is_secret: true } } },
    });

    const [changed] = diffTrees(new Map([["s", withValue("${var.webhook_secret_TICKET_TOKEN}")]]), new Map([["s", withValue("prefix-${var.webhook_secret_TICKET_TOKEN}")]])).stacks;

    expect(changed!.webhooks[0]!.changes).toEqual([{ path: "value", before: MASK, after: MASK, sensitive: true }]);
  });

  it("shows what cannot be a secret although named like one: Datadog variables, the state key, flags", () => {
    const added = diffTrees(new Map(), new Map([["vpn-monitor-acme", before]]));
    const addedReport = renderReport(added, context);

    expect(addedReport).toContain("  - `payload{json}.dedup_key`: `$ALERT_CYCLE_KEY`");
    expect(addedReport).toContain("  - `custom_headers{json}.X-Ticket-Token`: `$TICKET_TOKEN`");
    expect(addedReport).toContain("  - `s3.key`: `vpn-monitor/acme.tfstate`");
    expect(addedReport).toContain("  - `is_secret`: `true`");
    expect(addedReport).toContain(`  - \`custom_headers{json}.Authorization\`: ${MASK}`);
    expect(addedReport).not.toContain("old-literal-value");
  });
});

describe("review masking of webhook URLs", () => {
  const declared = new Set(["TICKET_TOKEN"]);

  it.each([
    ["https://tickets.example.com/api/datadog", "https://tickets.example.com/api/datadog", []],
    ["https://tickets.example.com/api?token=abc123&team=net", `https://tickets.example.com/api?token=${MASK}&team=${MASK}`, ["abc123", "net"]],
    ["https://tickets.example.com/api?token=$TICKET_TOKEN", "https://tickets.example.com/api?token=$TICKET_TOKEN", []],
    ["https://tickets.example.com/api?token=$UNDECLARED", `https://tickets.example.com/api?token=${MASK}`, ["$UNDECLARED"]],
    ["https://tickets.example.com/api?flag&empty=", "https://tickets.example.com/api?flag&empty=", []],
    // Slack's incoming-webhook shape: the last segment (24 characters) is the credential.
    ["https://hooks.slack.com/services/T0000AAAA/B0000BBBB/XXXXXXXXXXXXXXXXXXXXXXXX", `https://hooks.slack.com/services/T0000AAAA/B0000BBBB/${MASK}`, ["XXXXXXXXXXXXXXXXXXXXXXXX"]],
    ["https://h.example.com/" + "s".repeat(LONG_PATH_SEGMENT - 1) + "/x", "https://h.example.com/" + "s".repeat(LONG_PATH_SEGMENT - 1) + "/x", []],
    ["https://h.example.com/" + "s".repeat(LONG_PATH_SEGMENT), `https://h.example.com/${MASK}`, ["s".repeat(LONG_PATH_SEGMENT)]],
    ["https://bot:pw@h.example.com/a#frag", `https://${MASK}@h.example.com/a#${MASK}`, ["bot:pw", "frag"]],
    ["not a url", "not a url", []],
  ])("%s is shown as %s", (url, masked, hidden) => {
    expect(maskWebhookUrl(url, declared)).toEqual({ masked, hidden });
  });

  const webhook = (url: string): StackJson => ({
    resource: {
      datadog_webhook_custom_variable: { v: { name: "TICKET_TOKEN", value: "${var.webhook_secret_TICKET_TOKEN}", is_secret: true } },
      datadog_webhook: { w: { name: "tickets", url, payload: JSON.stringify({ note: "see canary-query-value-0001" }) } },
    },
  });
  const urlChange = (before: string, after: string) => {
    const diff = diffTrees(new Map([["vpn-monitor-acme", webhook(before)]]), new Map([["vpn-monitor-acme", webhook(after)]]));
    return { diff, change: diff.stacks[0]!.entries.find((e) => e.address === "datadog_webhook.w")?.changes.find((c) => c.path === "url"), report: renderReport(diff, context) };
  };

  it("shows a webhook URL's host and path change with query values masked", () => {
    const { change, report } = urlChange("https://a.example.com/api?token=canary-query-value-0001", "https://b.example.com/api?token=canary-query-value-0001");

    expect(change).toEqual({ path: "url", before: `https://a.example.com/api?token=${MASK}`, after: `https://b.example.com/api?token=${MASK}`, sensitive: false });
    expect(report).not.toContain("canary-query-value-0001");
  });

  it("says a URL changed when only a masked part changed, without showing either value", () => {
    const { change, report } = urlChange("https://a.example.com/api?token=canary-query-value-0001", "https://a.example.com/api?token=canary-query-value-0002");

    expect(change).toEqual({ path: "url", before: MASK, after: MASK, sensitive: true });
    expect(report).toContain(`  - \`url\`: ${MASK} → ${MASK} (changed)`);
    expect(report).not.toMatch(/canary-query-value-000[12]/);
  });

  it("scrubs a masked query value from the rest of the report too", () => {
    const { diff } = urlChange("https://a.example.com/api", "https://a.example.com/api?token=canary-query-value-0001");
    const payload = diff.stacks[0]!.entries.find((e) => e.address === "datadog_webhook.w")?.changes.find((c) => c.path === "payload{json}.note");

    expect(payload).toBeUndefined(); // unchanged: not in the diff at all
    const added = diffTrees(new Map(), new Map([["vpn-monitor-acme", webhook("https://a.example.com/api?token=canary-query-value-0001")]]));
    expect(JSON.stringify(added)).not.toContain("canary-query-value-0001");
    expect(renderReport(added, context)).toContain(`  - \`payload{json}.note\`: \`see ${MASK}\``);
  });
});
