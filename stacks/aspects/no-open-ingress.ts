/**
 * A guard in the manner of cdk-nag: no ingress rule anywhere in a stack may admit the whole
 * internet. The product only ever opens a controller's API port to the checker's security group;
 * an open rule would expose the VNS3 admin API, so synth stops instead of warning.
 */
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { IAspect } from "cdktf";
import type { IConstruct } from "constructs";

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

export class OpenIngressError extends Error {
  constructor(path: string, cidr: string) {
    super(`${path}: ingress from ${cidr} is not allowed; admit the checker's security group instead`);
    this.name = "OpenIngressError";
  }
}

export class NoOpenIngress implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof VpcSecurityGroupIngressRule) {
      for (const cidr of [node.cidrIpv4Input, node.cidrIpv6Input]) {
        if (cidr !== undefined && OPEN.has(cidr)) throw new OpenIngressError(node.node.path, cidr);
      }
    } else if (node instanceof SecurityGroup) {
      // Inline ingress blocks: the checker's group has none, and none may be open.
      const inline = (node.ingressInput ?? []) as { cidrBlocks?: string[]; ipv6CidrBlocks?: string[] }[];
      for (const rule of Array.isArray(inline) ? inline : []) {
        for (const cidr of [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])]) {
          if (OPEN.has(cidr)) throw new OpenIngressError(node.node.path, cidr);
        }
      }
    }
  }
}
