/** An IAM role that GitHub Actions assumes through OIDC, with exact subjects and one inline policy. */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { PolicyStatement } from "./deploy-permissions";
import { githubTrustPolicy } from "./trust";

export interface GitHubRoleProps {
  readonly name: string;
  readonly description: string;
  readonly oidcProviderArn: string;
  readonly subjects: readonly string[];
  readonly statements: readonly PolicyStatement[];
  readonly tags: Readonly<Record<string, string>>;
}

export class GitHubRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: GitHubRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: JSON.stringify(githubTrustPolicy(props.oidcProviderArn, props.subjects)),
      maxSessionDuration: 3600,
      tags: { ...props.tags },
    });
    new IamRolePolicy(this, "policy", { name: "permissions", role: this.role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: props.statements }) });
  }
}
