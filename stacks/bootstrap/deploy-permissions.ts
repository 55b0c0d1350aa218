/**
 * What the deploy and plan roles may do, derived from the resource types the environment stacks
 * synthesize: one row per `aws_*` type with the IAM actions Terraform's AWS provider calls to
 * read it (refresh, plan: the plan role) and to create, change, tag and delete it (the deploy
 * role, which also reads). test/stacks/bootstrap-permissions.test.ts synthesizes the example
 * stacks and fails when a stack has a type this table lacks.
 *
 * Sources: the Service Authorization Reference (docs.aws.amazon.com/service-authorization/latest/
 * reference/list_awslambda.html, list_amazonec2.html, list_awsidentityandaccessmanagementiam.html,
 * list_amazoncloudwatchlogs.html, list_amazoneventbridge.html, list_awssecretsmanager.html) for the
 * action names and which accept a resource ARN; the API calls per resource are those of the
 * hashicorp/aws provider's resource implementations (internal/service/<service>/<resource>.go).
 * Pure: no cdktf, so the bootstrap CLI and the docs can print it.
 */
import { ENVIRONMENT_STACK_PREFIX } from "./names";

/** Where the roles' permissions apply: one account, one partition. */
export interface PermissionScope {
  readonly partition: string;
  readonly account: string;
}

export interface ResourcePermissions {
  /** Calls of refresh and plan. */
  readonly read: readonly string[];
  /** Further calls of apply (create, update, tag, delete). */
  readonly write: readonly string[];
  /** ARNs the actions are limited to; `*` where the service allows no narrower resource. */
  readonly resources: (scope: PermissionScope) => readonly string[];
  /** Why the resource is as wide as it is, when it is `*`. */
  readonly why?: string;
}

const named = (service: string, suffix: string) => (s: PermissionScope) => [`arn:${s.partition}:${service}:*:${s.account}:${suffix}`];
const iamNamed = (suffix: string) => (s: PermissionScope) => [`arn:${s.partition}:iam::${s.account}:${suffix}`];
const anywhere = () => ["*"];
const FUNCTIONS = named("lambda", `function:${ENVIRONMENT_STACK_PREFIX}*`);
// Only the checkers' roles (`vpn-monitor-<name>-checker`), never the bootstrap's own roles.
const CHECKER_ROLES = iamNamed(`role/${ENVIRONMENT_STACK_PREFIX}*-checker`);

/** Every `aws_*` resource type an environment stack synthesizes, and what it needs. */
export const RESOURCE_PERMISSIONS: Readonly<Record<string, ResourcePermissions>> = {
  aws_lambda_function: {
    read: [
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:GetFunctionConcurrency",
      "lambda:GetRuntimeManagementConfig",
      "lambda:ListVersionsByFunction",
      "lambda:ListTags",
    ],
    write: [
      "lambda:CreateFunction",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency",
      "lambda:DeleteFunction",
      "lambda:TagResource",
      "lambda:UntagResource",
    ],
    resources: FUNCTIONS,
  },
  aws_lambda_function_event_invoke_config: {
    read: ["lambda:GetFunctionEventInvokeConfig"],
    write: ["lambda:PutFunctionEventInvokeConfig", "lambda:UpdateFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig"],
    resources: FUNCTIONS,
  },
  aws_lambda_permission: {
    read: ["lambda:GetPolicy"],
    write: ["lambda:AddPermission", "lambda:RemovePermission"],
    resources: FUNCTIONS,
  },
  // The deploy-time first check (stacks/constructs/checker-first-post.ts) invokes the checker once.
  aws_lambda_invocation: {
    read: [],
    write: ["lambda:InvokeFunction"],
    resources: FUNCTIONS,
  },
  aws_cloudwatch_event_rule: {
    read: ["events:DescribeRule", "events:ListTagsForResource"],
    write: ["events:PutRule", "events:DeleteRule", "events:EnableRule", "events:DisableRule", "events:TagResource", "events:UntagResource"],
    resources: named("events", `rule/${ENVIRONMENT_STACK_PREFIX}*`),
  },
  aws_cloudwatch_event_target: {
    read: ["events:ListTargetsByRule"],
    write: ["events:PutTargets", "events:RemoveTargets"],
    resources: named("events", `rule/${ENVIRONMENT_STACK_PREFIX}*`),
  },
  aws_cloudwatch_log_group: {
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup"],
    write: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:UntagLogGroup"],
    resources: (s) => [`arn:${s.partition}:logs:*:${s.account}:log-group:*`],
    why: "logs:DescribeLogGroups is authorized on log-group:* (it lists); the write actions still only ever name /aws/lambda/vpn-monitor-* groups",
  },
  aws_iam_role: {
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"],
    write: ["iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole"],
    resources: CHECKER_ROLES,
  },
  aws_iam_role_policy: {
    read: ["iam:GetRolePolicy"],
    write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
    resources: CHECKER_ROLES,
  },
  aws_security_group: {
    read: ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs"],
    write: ["ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags", "ec2:DeleteTags"],
    resources: anywhere,
    why: "EC2 Describe* actions accept no resource; a new group has no ARN to name before it exists",
  },
  aws_vpc_security_group_egress_rule: {
    read: ["ec2:DescribeSecurityGroupRules"],
    write: ["ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules", "ec2:CreateTags", "ec2:DeleteTags"],
    resources: anywhere,
    why: "the rules sit on the checker's group, created in the same apply",
  },
  aws_vpc_security_group_ingress_rule: {
    read: ["ec2:DescribeSecurityGroupRules"],
    write: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:ModifySecurityGroupRules", "ec2:CreateTags", "ec2:DeleteTags"],
    resources: anywhere,
    why: "the rules sit on the controllers' groups, which the definitions name by id and this stack does not own",
  },
  aws_secretsmanager_secret: {
    read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    write: ["secretsmanager:CreateSecret", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource"],
    resources: named("secretsmanager", "secret:vpn-monitor/*"),
  },
};

/** Calls that belong to no one resource type. */
export const EXTRA_DEPLOY_PERMISSIONS: readonly { readonly sid: string; readonly actions: readonly string[]; readonly resources: (s: PermissionScope) => readonly string[]; readonly condition?: Record<string, unknown> }[] = [
  {
    // CreateFunction and UpdateFunctionConfiguration hand the checker its execution role.
    sid: "PassCheckerRole",
    actions: ["iam:PassRole"],
    resources: CHECKER_ROLES,
    condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
  },
  {
    // A function in a VPC: Lambda checks that the caller may see its subnets and groups (Lambda
    // developer guide, "Giving Lambda functions access to resources in an Amazon VPC").
    sid: "SeeCheckerNetwork",
    actions: ["ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeSecurityGroups"],
    resources: anywhere,
  },
];

/** One IAM policy statement. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Record<string, unknown>;
}

const sidOf = (type: string) =>
  type
    .replace(/^aws_/, "")
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

/**
 * The statements of a role over `types` (every type of the table by default): reads only
 * (`"plan"`), or reads and writes (`"deploy"`). One statement per type, actions sorted.
 */
export function resourceStatements(role: "plan" | "deploy", scope: PermissionScope, types: readonly string[] = Object.keys(RESOURCE_PERMISSIONS)): PolicyStatement[] {
  const statements: PolicyStatement[] = [...types].sort().map((type) => {
    const row = RESOURCE_PERMISSIONS[type];
    if (row === undefined) throw new Error(`no IAM permissions known for ${type}: add it to stacks/bootstrap/deploy-permissions.ts`);
    return { Sid: sidOf(type), Effect: "Allow", Action: [...new Set(role === "deploy" ? [...row.read, ...row.write] : row.read)].sort(), Resource: [...row.resources(scope)] };
  });
  if (role === "deploy") {
    for (const extra of EXTRA_DEPLOY_PERMISSIONS) {
      statements.push({ Sid: extra.sid, Effect: "Allow", Action: [...extra.actions].sort(), Resource: [...extra.resources(scope)], ...(extra.condition ? { Condition: extra.condition } : {}) });
    }
  }
  return statements;
}
