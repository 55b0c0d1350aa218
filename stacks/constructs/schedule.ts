/** Runs the checker every minute: an EventBridge rule, its target, and the permission it needs. */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Construct } from "constructs";

export interface MinuteScheduleProps {
  /** Name of the EventBridge rule. */
  readonly ruleName: string;
  /** The function to run every minute; only this rule may invoke it. */
  readonly target: LambdaFunction;
}

export class MinuteSchedule extends Construct {
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: MinuteScheduleProps) {
    super(scope, id);
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: "Runs the VPN tunnel checker",
      scheduleExpression: "rate(1 minute)",
    });
    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      arn: props.target.arn,
    });
    // Only this rule may invoke the function.
    new LambdaPermission(this, "invoke", {
      statementId: "AllowEveryMinuteSchedule",
      action: "lambda:InvokeFunction",
      functionName: props.target.functionName,
      principal: "events.amazonaws.com",
      sourceArn: this.rule.arn,
    });
  }
}
