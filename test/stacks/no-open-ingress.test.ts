import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Aspects, Testing, TerraformStack } from "cdktf";
import { NoOpenIngress } from "../../stacks/aspects/no-open-ingress";
import { baseDefinition, buildStack } from "../helpers/synth";

function stackWith(build: (stack: TerraformStack) => void): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "guarded");
  build(stack);
  Aspects.of(stack).add(new NoOpenIngress());
  return stack;
}

describe("the no-open-ingress guard", () => {
  it("stops synth on an ingress rule from 0.0.0.0/0, naming the rule", () => {
    const stack = stackWith((s) => new VpcSecurityGroupIngressRule(s, "open", { securityGroupId: "sg-0a1b2c3d", ipProtocol: "tcp", fromPort: 8000, toPort: 8000, cidrIpv4: "0.0.0.0/0" }));

    expect(() => Testing.synth(stack)).toThrow("guarded/open: ingress from 0.0.0.0/0 is not allowed");
  });

  it("stops synth on an inline ingress block open to ::/0", () => {
    const stack = stackWith(
      (s) => new SecurityGroup(s, "group", { vpcId: "vpc-0a1b2c3d", ingress: [{ fromPort: 8000, toPort: 8000, protocol: "tcp", ipv6CidrBlocks: ["::/0"] }] }),
    );

    expect(() => Testing.synth(stack)).toThrow("guarded/group: ingress from ::/0 is not allowed");
  });

  it("lets a rule from a security group or a private range through", () => {
    const stack = stackWith((s) => {
      new VpcSecurityGroupIngressRule(s, "from-group", { securityGroupId: "sg-0a1b2c3d", ipProtocol: "tcp", fromPort: 8000, toPort: 8000, referencedSecurityGroupId: "sg-0e1f2a3b" });
      new VpcSecurityGroupIngressRule(s, "from-vpc", { securityGroupId: "sg-0a1b2c3d", ipProtocol: "tcp", fromPort: 8000, toPort: 8000, cidrIpv4: "10.0.0.0/16" });
    });

    expect(() => Testing.synth(stack)).not.toThrow();
  });

  it("guards every environment stack", () => {
    const stack = buildStack(baseDefinition());
    new VpcSecurityGroupIngressRule(stack, "added-by-mistake", { securityGroupId: "sg-0a1b2c3d", ipProtocol: "tcp", fromPort: 8000, toPort: 8000, cidrIpv4: "0.0.0.0/0" });

    expect(() => Testing.synth(stack)).toThrow("vpn-monitor-acme-prod/added-by-mistake: ingress from 0.0.0.0/0 is not allowed");
  });
});
