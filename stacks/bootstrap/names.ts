/** Names the bootstrap stack gives and the ones its policies are limited to. */

/** Every environment stack's AWS resources are named `vpn-monitor-<name>-…` (contract/names.ts). */
export const ENVIRONMENT_STACK_PREFIX = "vpn-monitor-";
/** The bootstrap stack of one account: `vpn-monitor-bootstrap`, or `…-<account>` when there are several. */
export const BOOTSTRAP_STACK_ID = "vpn-monitor-bootstrap";
/** Key prefix of every state object in the bucket (the backends' default key `vpn-monitor/<stack>.tfstate`). */
export const STATE_KEY_PREFIX = "vpn-monitor/";
/** Alias of the state's KMS key, so that `--state-kms-key` can name it before the key exists. */
export const STATE_KEY_ALIAS = "alias/vpn-monitor-state";
/** Outside `vpn-monitor-*`, so that no permission of the deploy role ever reaches the roles themselves. */
export const PLAN_ROLE_NAME = "github-vpn-monitor-plan";
export const DEPLOY_ROLE_NAME = "github-vpn-monitor-deploy";
/** A fleet overview has no AWS resources: its apply role writes its own state object only. */
export const FLEET_STATE_ROLE_NAME = "github-vpn-monitor-fleet-state";
/** GitHub's OIDC issuer and the audience aws-actions/configure-aws-credentials asks for. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
