/**
 * The checker's security group and the one door it needs on each controller: the API port, from
 * the checker's group only. Rules are separate resources (aws_vpc_security_group_*_rule), so each
 * shows up on its own in a plan and a review.
 */
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import type { ControllerDefinition } from "../../contract/definition/schema";

/** A controller as far as the network goes: its name (for descriptions), its group and API port. */
export type ControllerDoor = Pick<ControllerDefinition, "name" | "securityGroupId" | "port">;

export interface NetworkAccessProps {
  /** VPC of the checker and the controllers. */
  readonly vpcId: string;
  /** Name of the checker's security group. */
  readonly securityGroupName: string;
  /** The controllers the checker reads; each gets one ingress rule on its own group (shared per group and port). */
  readonly controllers: readonly ControllerDoor[];
}

/** One (security group, port) pair per rule: controllers sharing a group and port share a rule. */
function distinctControllerDoors(controllers: readonly ControllerDoor[]): { securityGroupId: string; port: number; controllers: string[] }[] {
  const doors = new Map<string, { securityGroupId: string; port: number; controllers: string[] }>();
  for (const c of controllers) {
    const key = `${c.securityGroupId}:${c.port}`;
    const door = doors.get(key) ?? { securityGroupId: c.securityGroupId, port: c.port, controllers: [] };
    door.controllers.push(c.name);
    doors.set(key, door);
  }
  return [...doors.values()];
}

export class NetworkAccess extends Construct {
  /** The checker's own security group. */
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkAccessProps) {
    super(scope, id);

    // No inline rules: Terraform removes AWS's default allow-all egress when it creates the group,
    // and the group has no ingress at all (nothing connects to the checker).
    this.securityGroup = new SecurityGroup(this, "checker", {
      name: props.securityGroupName,
      description: "VPN tunnel checker: no ingress; egress to the VNS3 API and HTTPS only",
      vpcId: props.vpcId,
    });

    // Datadog's intake and the Secrets Manager endpoint have no fixed addresses (and a NAT or VPC
    // endpoint may carry either), so HTTPS cannot be narrowed below the port.
    new VpcSecurityGroupEgressRule(this, "https-out", {
      securityGroupId: this.securityGroup.id,
      description: "HTTPS to Datadog and Secrets Manager",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });

    for (const door of distinctControllerDoors(props.controllers)) {
      const suffix = `${door.securityGroupId}-${door.port}`;
      const names = door.controllers.join(", ");
      new VpcSecurityGroupEgressRule(this, `api-out-${suffix}`, {
        securityGroupId: this.securityGroup.id,
        description: `VNS3 API of ${names}`,
        ipProtocol: "tcp",
        fromPort: door.port,
        toPort: door.port,
        referencedSecurityGroupId: door.securityGroupId,
      });
      new VpcSecurityGroupIngressRule(this, `api-in-${suffix}`, {
        securityGroupId: door.securityGroupId,
        description: `VNS3 API from the VPN tunnel checker (${names})`,
        ipProtocol: "tcp",
        fromPort: door.port,
        toPort: door.port,
        referencedSecurityGroupId: this.securityGroup.id,
      });
    }
  }
}
