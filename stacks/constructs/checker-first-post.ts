/**
 * One check run during `terraform apply`, before any monitor exists: an `aws_lambda_invocation` of
 * the checker, which Terraform waits for and which fails the apply when the function fails. The
 * checker throws when it cannot read its Datadog API key or Datadog does not accept the series
 * (handler/index.ts, handler/check.ts), so a successful invocation proves the deployed function can
 * post, from its own network, with its own role and key, and the monitors that depend on it are
 * never relied on before a first point arrived (docs/stacks.md, "The checker monitor").
 */
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { Construct } from "constructs";

/** What the invocation passes: the handler ignores its event; this names the caller in the logs. */
export const FIRST_POST_EVENT = { source: "vpn-monitor.deploy", "detail-type": "First post after deploy" } as const;

export interface CheckerFirstPostProps {
  /** The checker function to run once. */
  readonly checker: LambdaFunction;
}

export class CheckerFirstPost extends Construct {
  readonly invocation: LambdaInvocation;

  constructor(scope: Construct, id: string, props: CheckerFirstPostProps) {
    super(scope, id);
    this.invocation = new LambdaInvocation(this, "invocation", {
      functionName: props.checker.functionName,
      input: JSON.stringify(FIRST_POST_EVENT),
      // Run again whenever the function's code or configuration changes (its API key secret, its
      // controllers), so every deploy proves the function it leaves behind can post.
      triggers: { last_modified: props.checker.lastModified },
    });
  }
}
