import { addressOf, baseDefinition, onlyResource, resourcesOf, synthEnvironment } from "../helpers/synth";

const FP = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
const secret = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme-prod/${name}-AbCdEf`;

/** Three controllers: two share a security group and port, one sits in its own group on port 8443. */
const threeControllers = baseDefinition({
  controllers: [
    { name: "vns3-a", host: "192.0.2.10", securityGroupId: "sg-0000000000000000a", secretArn: secret("vns3-a"), tlsSha256: FP },
    { name: "vns3-b", host: "192.0.2.11", securityGroupId: "sg-0000000000000000a", secretArn: secret("vns3-b"), tlsSha256: FP },
    { name: "vns3-c", host: "vns3-c.internal.example", port: 8443, securityGroupId: "sg-0000000000000000c", secretArn: secret("vns3-c"), tlsSha256: FP },
  ],
});

describe("the checker Lambda", () => {
  const stack = synthEnvironment(baseDefinition());
  const fn = onlyResource(stack, "aws_lambda_function");

  it("runs nodejs22.x on arm64 inside the schedule period, with no reserved concurrency by default", () => {
    expect(fn).toMatchObject({
      function_name: "vpn-monitor-acme-prod-checker",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memory_size: 256,
      timeout: 50,
    });
    // AWS keeps 100 (10 on low-quota accounts) unreserved: a reservation must be asked for.
    expect(fn).not.toHaveProperty("reserved_concurrent_executions");
    expect(fn.filename).toMatch(/^assets\/checker-code\/[0-9A-F]{32}\/checker\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[0-9A-F]{32}$/);
  });

  it("runs in the given subnets with its own security group", () => {
    expect(fn.vpc_config).toEqual({
      subnet_ids: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
      security_group_ids: [`\${${addressOf(stack, "aws_security_group")}.id}`],
    });
  });

  it("with push on, also gets VPN_PUSH_CHECK_MINUTES from push.checkEveryMinutes", () => {
    const pushed = onlyResource(synthEnvironment(baseDefinition({ push: { enabled: true, checkEveryMinutes: 10 } })), "aws_lambda_function");
    const variables = (pushed.environment as { variables: Record<string, string> }).variables;
    expect(Object.keys(variables).sort()).toEqual(["DD_API_KEY_SECRET_ARN", "DD_SITE", "MALLOC_ARENA_MAX", "NODE_OPTIONS", "VNS3_CONTROLLERS", "VPN_ENVIRONMENT", "VPN_PUSH_CHECK_MINUTES", "VPN_SIGNALS"]);
    expect(variables.VPN_PUSH_CHECK_MINUTES).toBe("10");
  });

  it("gets exactly the checker's contract variables, and no credential", () => {
    const variables = (fn.environment as { variables: Record<string, string> }).variables;
    expect(Object.keys(variables).sort()).toEqual(["DD_API_KEY_SECRET_ARN", "DD_SITE", "MALLOC_ARENA_MAX", "NODE_OPTIONS", "VNS3_CONTROLLERS", "VPN_ENVIRONMENT", "VPN_SIGNALS"]);
    expect(variables.VPN_SIGNALS).toBe("traffic,phase,health,expiry");
    expect(variables.VPN_PUSH_CHECK_MINUTES).toBeUndefined(); // push off: the checker never reads /api/alerts
    expect(variables.VPN_ENVIRONMENT).toBe("acme-prod");
    expect(variables.DD_SITE).toBe("datadoghq.eu");
    expect(variables.DD_API_KEY_SECRET_ARN).toBe("arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/datadog-api-key-QwErTy");
    expect(variables.NODE_OPTIONS).toBe("--enable-source-maps");
    expect(variables.MALLOC_ARENA_MAX).toBe("2");
    expect(JSON.parse(variables.VNS3_CONTROLLERS!)).toEqual([
      {
        name: "vns3-a",
        host: "192.0.2.10",
        port: 8000,
        tlsSha256: "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E",
        secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/acme-prod/vns3-a-AbCdEf",
      },
    ]);
  });

  it("is never retried and drops events older than a minute", () => {
    expect(onlyResource(stack, "aws_lambda_function_event_invoke_config")).toEqual({
      function_name: `\${${addressOf(stack, "aws_lambda_function")}.function_name}`,
      maximum_retry_attempts: 0,
      maximum_event_age_in_seconds: 60,
    });
  });

  it("logs to its own group with the default 30-day retention, created before the function", () => {
    expect(onlyResource(stack, "aws_cloudwatch_log_group")).toEqual({ name: "/aws/lambda/vpn-monitor-acme-prod-checker", retention_in_days: 30 });
    expect(fn.depends_on).toContain(addressOf(stack, "aws_cloudwatch_log_group"));
  });

  it("sizes memory by controller count when the definition leaves it out", () => {
    const controller = (i: number) => ({ ...threeControllers.controllers![0]!, name: `vns3-${i}`, host: `192.0.2.${20 + i}` });
    const withControllers = (count: number) => synthEnvironment({ ...threeControllers, controllers: Array.from({ length: count }, (_, i) => controller(i)) });

    expect(onlyResource(withControllers(4), "aws_lambda_function")).toMatchObject({ memory_size: 256 });
    expect(onlyResource(withControllers(5), "aws_lambda_function")).toMatchObject({ memory_size: 512 });
    expect(onlyResource(withControllers(12), "aws_lambda_function")).toMatchObject({ memory_size: 1024 });
  });

  it("takes memory, timeout, retention and reserved concurrency from the definition", () => {
    const tuned = synthEnvironment(baseDefinition({ lambda: { memoryMb: 512, timeoutSeconds: 30, logRetentionDays: 90, reservedConcurrency: 1 } }));
    expect(onlyResource(tuned, "aws_lambda_function")).toMatchObject({ memory_size: 512, timeout: 30, reserved_concurrent_executions: 1 });
    expect(onlyResource(tuned, "aws_cloudwatch_log_group")).toMatchObject({ retention_in_days: 90 });
  });
});

describe("the IAM role", () => {
  const stack = synthEnvironment(threeControllers);
  const role = onlyResource(stack, "aws_iam_role");
  const policy = JSON.parse(onlyResource(stack, "aws_iam_role_policy").policy as string) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
  const statement = (sid: string) => policy.Statement.find((s) => s.Sid === sid)!;
  const sg = `\${${addressOf(stack, "aws_security_group")}.id}`;

  it("is trusted by lambda.amazonaws.com only", () => {
    expect(JSON.parse(role.assume_role_policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
  });

  it("writes only to its own log group", () => {
    expect(statement("WriteOwnLogs")).toMatchObject({
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [`\${${addressOf(stack, "aws_cloudwatch_log_group")}.arn}:*`],
    });
  });

  it("reads exactly the listed secrets", () => {
    expect(statement("ReadListedSecrets")).toMatchObject({
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [secret("vns3-a"), secret("vns3-b"), secret("vns3-c"), "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/datadog-api-key-QwErTy"],
    });
  });

  it("creates ENIs only in its subnets and security group", () => {
    expect(statement("ManageOwnEnis")).toMatchObject({
      Action: ["ec2:CreateNetworkInterface"],
      Resource: [
        "arn:aws:ec2:eu-west-1:*:network-interface/*",
        "arn:aws:ec2:eu-west-1:*:subnet/subnet-0a1b2c3d4e5f60001",
        "arn:aws:ec2:eu-west-1:*:subnet/subnet-0a1b2c3d4e5f60002",
        `arn:aws:ec2:eu-west-1:*:security-group/${sg}`,
      ],
    });
  });

  it("may release or re-address only the network interfaces in its own VPC", () => {
    expect(policy.Statement.find((s) => s.Sid === "ReleaseEnis")).toEqual({
      Sid: "ReleaseEnis",
      Effect: "Allow",
      Action: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      Resource: ["arn:aws:ec2:eu-west-1:*:network-interface/*"],
      Condition: { ArnLike: { "ec2:Vpc": "arn:aws:ec2:eu-west-1:*:vpc/vpc-0a1b2c3d4e5f60718" } },
    });
  });

  it('uses "*" only for the Describe calls, which support no resource-level permissions', () => {
    const wildcard = policy.Statement.filter((s) => s.Resource.includes("*"));
    expect(wildcard).toEqual([{ Sid: "DescribeEnis", Effect: "Allow", Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], Resource: ["*"] }]);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["WriteOwnLogs", "ReadListedSecrets", "ManageOwnEnis", "ReleaseEnis", "DescribeEnis"]);
  });

  it("may decrypt secrets with the listed customer-managed keys, through Secrets Manager only", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const withKey = synthEnvironment(baseDefinition({ aws: { region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60001"], secretsKmsKeyArns: [key] } }));
    const keyPolicy = JSON.parse(onlyResource(withKey, "aws_iam_role_policy").policy as string) as { Statement: { Sid: string }[] };
    expect(keyPolicy.Statement.find((s) => s.Sid === "DecryptListedSecrets")).toEqual({
      Sid: "DecryptListedSecrets",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [key],
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
    });
    expect(policy.Statement.some((s) => s.Sid === "DecryptListedSecrets")).toBe(false);
  });

  it("builds GovCloud ARNs in the aws-us-gov partition", () => {
    const gov = synthEnvironment(baseDefinition({ aws: { region: "us-gov-west-1", vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60001"] } }));
    const govPolicy = JSON.parse(onlyResource(gov, "aws_iam_role_policy").policy as string) as { Statement: { Sid: string; Resource: string[] }[] };
    expect(govPolicy.Statement.find((s) => s.Sid === "ReleaseEnis")!.Resource).toEqual(["arn:aws-us-gov:ec2:us-gov-west-1:*:network-interface/*"]);
    expect(govPolicy.Statement.find((s) => s.Sid === "ReleaseEnis")).toMatchObject({ Condition: { ArnLike: { "ec2:Vpc": "arn:aws-us-gov:ec2:us-gov-west-1:*:vpc/vpc-0a1b2c3d4e5f60718" } } });
  });
});

describe("the schedule", () => {
  const stack = synthEnvironment(baseDefinition());

  it("runs the checker every minute, and only that rule may invoke it", () => {
    expect(onlyResource(stack, "aws_cloudwatch_event_rule")).toMatchObject({ name: "vpn-monitor-acme-prod-every-minute", schedule_expression: "rate(1 minute)" });
    const fn = addressOf(stack, "aws_lambda_function");
    const rule = addressOf(stack, "aws_cloudwatch_event_rule");
    expect(onlyResource(stack, "aws_cloudwatch_event_target")).toEqual({ rule: `\${${rule}.name}`, arn: `\${${fn}.arn}` });
    expect(onlyResource(stack, "aws_lambda_permission")).toEqual({
      statement_id: "AllowEveryMinuteSchedule",
      action: "lambda:InvokeFunction",
      function_name: `\${${fn}.function_name}`,
      principal: "events.amazonaws.com",
      source_arn: `\${${rule}.arn}`,
    });
  });
});

describe("security groups", () => {
  const stack = synthEnvironment(threeControllers);
  const checkerSg = `\${${addressOf(stack, "aws_security_group")}.id}`;
  const rules = (type: string) =>
    resourcesOf(stack, type)
      .map(({ description: _d, ...rule }) => rule)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it("gives the checker its own group with no inline rules", () => {
    const group = onlyResource(stack, "aws_security_group");
    expect(group).toMatchObject({ name: "vpn-monitor-acme-prod-checker", vpc_id: "vpc-0a1b2c3d4e5f60718" });
    expect(group).not.toHaveProperty("ingress");
    expect(group).not.toHaveProperty("egress");
  });

  it("lets the checker out on 443 and on each controller group's API port only", () => {
    expect(rules("aws_vpc_security_group_egress_rule")).toEqual(
      [
        { security_group_id: checkerSg, ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" },
        { security_group_id: checkerSg, ip_protocol: "tcp", from_port: 8000, to_port: 8000, referenced_security_group_id: "sg-0000000000000000a" },
        { security_group_id: checkerSg, ip_protocol: "tcp", from_port: 8443, to_port: 8443, referenced_security_group_id: "sg-0000000000000000c" },
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });

  it("opens each controller group's API port to the checker's group only, once per group and port", () => {
    expect(rules("aws_vpc_security_group_ingress_rule")).toEqual(
      [
        { security_group_id: "sg-0000000000000000a", ip_protocol: "tcp", from_port: 8000, to_port: 8000, referenced_security_group_id: checkerSg },
        { security_group_id: "sg-0000000000000000c", ip_protocol: "tcp", from_port: 8443, to_port: 8443, referenced_security_group_id: checkerSg },
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    expect(JSON.stringify(stack.resource.aws_vpc_security_group_ingress_rule)).not.toContain("cidr");
  });
});

describe("the monitors", () => {
  it("are the three of test/stacks/constructs/monitors, wired to the ticket webhook", () => {
    const stack = synthEnvironment(baseDefinition());
    const monitors = resourcesOf(stack, "datadog_monitor").filter((m) => !(m.tags as string[]).some((t) => t.startsWith("signal:")));
    expect(monitors.map((m) => m.name).sort()).toEqual(["VNS3 controller unreadable: acme-prod", "VPN checker silent: acme-prod", "VPN tunnel down: acme-prod"]);
    // The webhook they mention, and the check run at deploy that proved the checker posts.
    for (const m of monitors) expect(m.depends_on).toEqual([addressOf(stack, "datadog_webhook"), addressOf(stack, "aws_lambda_invocation")]);
  });
});

describe("the ticket webhook", () => {
  it("posts the default JSON payload to the https URL", () => {
    const stack = synthEnvironment(baseDefinition());
    const webhook = onlyResource(stack, "datadog_webhook");
    expect(webhook).toMatchObject({ name: "vpn-tickets-acme-prod", url: "https://tickets.example.com/api/datadog", encode_as: "json" });
    expect(JSON.parse(webhook.payload as string)).toEqual({
      alert_id: "$ALERT_ID",
      dedup_key: "$ALERT_CYCLE_KEY",
      transition: "$ALERT_TRANSITION",
      title: "$EVENT_TITLE",
      scope: "$ALERT_SCOPE",
      link: "$LINK",
      vpn_environment: "acme-prod",
    });
    expect(webhook).not.toHaveProperty("custom_headers");
    expect(stack.resource.datadog_webhook_custom_variable).toBeUndefined();
    expect(stack.variable).toBeUndefined();
  });

  it("feeds each ticketing secret from a sensitive variable into a secret webhook variable", () => {
    const stack = synthEnvironment(
      baseDefinition({
        ticketing: {
          webhookUrl: "https://tickets.example.com/api/datadog",
          payload: '{"summary":"$EVENT_TITLE"}',
          secretVariables: ["ACME_TICKET_TOKEN"],
          customHeaders: { Authorization: "Bearer $ACME_TICKET_TOKEN" },
        },
      }),
    );
    expect(stack.variable).toEqual({ webhook_secret_ACME_TICKET_TOKEN: expect.objectContaining({ type: "string", sensitive: true, nullable: false }) });
    expect(stack.variable!.webhook_secret_ACME_TICKET_TOKEN).not.toHaveProperty("default");
    expect(onlyResource(stack, "datadog_webhook_custom_variable")).toEqual({ name: "ACME_TICKET_TOKEN", value: "${var.webhook_secret_ACME_TICKET_TOKEN}", is_secret: true });
    const webhook = onlyResource(stack, "datadog_webhook");
    expect(webhook.payload).toBe('{"summary":"$EVENT_TITLE"}');
    expect(JSON.parse(webhook.custom_headers as string)).toEqual({ Authorization: "Bearer $ACME_TICKET_TOKEN" });
    expect(webhook.depends_on).toEqual([addressOf(stack, "datadog_webhook_custom_variable")]);
  });

  it("keeps a query token as a reference to a secret variable, which Datadog substitutes in the URL", () => {
    const stack = synthEnvironment(
      baseDefinition({ ticketing: { webhookUrl: "https://tickets.example.com/api/datadog?token=$ACME_TICKET_TOKEN", secretVariables: ["ACME_TICKET_TOKEN"] } }),
    );
    expect(onlyResource(stack, "datadog_webhook").url).toBe("https://tickets.example.com/api/datadog?token=$ACME_TICKET_TOKEN");
    expect(onlyResource(stack, "datadog_webhook_custom_variable")).toEqual({ name: "ACME_TICKET_TOKEN", value: "${var.webhook_secret_ACME_TICKET_TOKEN}", is_secret: true });
  });
});

describe("providers, backend, secrets and outputs", () => {
  it("configures the region, tags on every AWS resource, and the Datadog site without credentials", () => {
    const stack = synthEnvironment(baseDefinition({ aws: { region: "eu-west-1", vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60001"], assumeRoleArn: "arn:aws:iam::123456789012:role/deployer", tags: { team: "net" } } }));
    expect(stack.provider.aws).toEqual([
      {
        region: "eu-west-1",
        assume_role: [{ role_arn: "arn:aws:iam::123456789012:role/deployer", session_name: "vpn-monitor-acme-prod" }],
        default_tags: [{ tags: { team: "net", "managed-by": "cdktf", vpn_environment: "acme-prod" } }],
      },
    ]);
    expect(stack.provider.datadog).toEqual([{ api_url: "https://api.datadoghq.eu/" }]);
  });

  it("keeps state locally by default, outside the synth output", () => {
    expect(synthEnvironment(baseDefinition()).terraform.backend).toEqual({ local: { path: "../../../terraform.vpn-monitor-acme-prod.tfstate" } });
  });

  it("keeps state in S3 with S3-native locking, or with a DynamoDB table when given", () => {
    expect(synthEnvironment(baseDefinition({ backend: { type: "s3", bucket: "acme-state" } })).terraform.backend).toEqual({
      s3: { bucket: "acme-state", key: "vpn-monitor/acme-prod.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
    expect(synthEnvironment(baseDefinition({ backend: { type: "s3", bucket: "acme-state", dynamodbTable: "locks", key: "k.tfstate", region: "us-east-1" } })).terraform.backend).toEqual({
      s3: { bucket: "acme-state", key: "k.tfstate", region: "us-east-1", encrypt: true, dynamodb_table: "locks" },
    });
  });

  it("encrypts S3 state with SSE-KMS under the given key", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(synthEnvironment(baseDefinition({ backend: { type: "s3", bucket: "acme-state", kmsKeyId: key } })).terraform.backend).toEqual({
      s3: { bucket: "acme-state", key: "vpn-monitor/acme-prod.tfstate", region: "eu-west-1", encrypt: true, kms_key_id: key, use_lockfile: true },
    });
  });

  it("creates empty secrets where the definition names none, and grants and outputs exactly those", () => {
    const definition = baseDefinition();
    const stack = synthEnvironment({
      ...definition,
      controllers: definition.controllers.map(({ secretArn: _s, ...c }) => c),
      datadog: { site: "US5" },
    });
    const secrets = resourcesOf(stack, "aws_secretsmanager_secret");
    expect(secrets.map((s) => s.name).sort()).toEqual(["vpn-monitor/acme-prod/datadog-api-key", "vpn-monitor/acme-prod/vns3-a"]);
    expect(secrets.every((s) => !("recovery_window_in_days" in s) && !JSON.stringify(s).includes("secret_string"))).toBe(true);
    expect(stack.resource.aws_secretsmanager_secret_version).toBeUndefined();
    const refs = Object.keys(stack.resource.aws_secretsmanager_secret!).map((name) => `\${aws_secretsmanager_secret.${name}.arn}`).sort();
    const policy = JSON.parse(onlyResource(stack, "aws_iam_role_policy").policy as string) as { Statement: { Sid: string; Resource: string[] }[] };
    expect([...policy.Statement.find((s) => s.Sid === "ReadListedSecrets")!.Resource].sort()).toEqual(refs);
    expect(stack.output.secrets_to_fill!.value).toEqual(["vpn-monitor/acme-prod/vns3-a", "vpn-monitor/acme-prod/datadog-api-key"]);
    const variables = (onlyResource(stack, "aws_lambda_function").environment as { variables: Record<string, string> }).variables;
    expect(variables.DD_SITE).toBe("us5.datadoghq.com");
    expect(refs).toContain(variables.DD_API_KEY_SECRET_ARN);
  });

  it("outputs the function name and the three monitor ids", () => {
    const stack = synthEnvironment(baseDefinition());
    expect(stack.output.checker_function_name!.value).toBe(`\${${addressOf(stack, "aws_lambda_function")}.function_name}`);
    // The signal monitors (test/stacks/constructs/monitors/signal-monitors.test.ts) have no output.
    const monitors = Object.keys(stack.resource.datadog_monitor!).filter((m) => !m.startsWith("signal-monitors"));
    expect(monitors).toHaveLength(3);
    expect([stack.output.tunnel_monitor_id!.value, stack.output.controller_monitor_id!.value, stack.output.checker_monitor_id!.value].sort()).toEqual(
      monitors.map((m) => `\${datadog_monitor.${m}.id}`).sort(),
    );
  });
});
