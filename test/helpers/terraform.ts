/**
 * Offline Terraform for the tests: finds the `terraform` CLI and a filesystem mirror of the
 * hashicorp/aws provider on this machine (never at a hard-coded path), and turns a synthesized
 * stack into a configuration Terraform can init, validate and plan without credentials or network.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import type { SynthesizedStack } from "./synth";

const AWS_PROVIDER_PATH = path.join("registry.terraform.io", "hashicorp", "aws");

/** Terraform's name for this platform, e.g. linux_amd64. */
export function terraformPlatform(): string {
  const arch = { x64: "amd64", arm64: "arm64", ia32: "386" }[process.arch as string] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** The `terraform` on PATH and its version, or why there is none. */
export function findTerraform(): { ok: true; version: string } | { ok: false; why: string } {
  const result = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "" } });
  if (result.error || result.status !== 0) return { ok: false, why: `no usable terraform on PATH (${result.error?.message ?? `exit ${result.status}`})` };
  try {
    return { ok: true, version: (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version };
  } catch {
    return { ok: false, why: "terraform version -json printed no JSON" };
  }
}

/** Mirror root (the folder holding registry.terraform.io) and the aws provider version it holds for this platform. */
export interface ProviderMirror {
  readonly root: string;
  readonly awsVersion: string;
}

function awsVersionIn(root: string): string | undefined {
  const dir = path.join(root, AWS_PROVIDER_PATH);
  if (!existsSync(dir)) return undefined;
  const versions = readdirSync(dir).filter((v) => existsSync(path.join(dir, v, terraformPlatform())));
  return versions.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))[0];
}

/** Breadth-first search for a folder named registry.terraform.io, a few levels deep at most. */
function searchForMirror(start: string, maxDepth: number): string | undefined {
  let level = [start];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth += 1) {
    const next: string[] = [];
    for (const dir of level) {
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        continue;
      }
      if (entries.includes("registry.terraform.io") && awsVersionIn(dir)) return dir;
      for (const entry of entries) {
        if (entry === "node_modules" || entry.startsWith(".") || entry === "proc") continue;
        const full = path.join(dir, entry);
        try {
          if (statSync(full).isDirectory()) next.push(full);
        } catch {
          // unreadable entries are not mirrors
        }
      }
    }
    level = next;
  }
  return undefined;
}

/**
 * Where Terraform itself looks (its implicit local mirror directories), then a bounded search of
 * the usual install roots. TF_PROVIDER_MIRROR overrides both.
 */
export function findAwsProviderMirror(): { ok: true; mirror: ProviderMirror } | { ok: false; why: string } {
  const explicit = process.env.TF_PROVIDER_MIRROR;
  const implicit = [
    path.join(homedir(), ".terraform.d", "plugins"),
    path.join(process.env.XDG_DATA_HOME ?? path.join(homedir(), ".local", "share"), "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ];
  const candidates = explicit ? [explicit] : implicit;
  for (const root of candidates) {
    const awsVersion = awsVersionIn(root);
    if (awsVersion) return { ok: true, mirror: { root, awsVersion } };
  }
  if (explicit) return { ok: false, why: `TF_PROVIDER_MIRROR=${explicit} holds no ${AWS_PROVIDER_PATH} for ${terraformPlatform()}` };
  for (const start of ["/opt", "/usr/local", "/srv", homedir()]) {
    const root = searchForMirror(start, 3);
    if (root) return { ok: true, mirror: { root, awsVersion: awsVersionIn(root)! } };
  }
  return { ok: false, why: `no filesystem mirror of ${AWS_PROVIDER_PATH} for ${terraformPlatform()} in Terraform's plugin directories, /opt, /usr/local, /srv or ~` };
}

/** CLI configuration that installs providers from the mirror only, never from the network. */
export function offlineCliConfig(mirrorRoot: string, pluginCacheDir: string): string {
  return [
    `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`,
    "provider_installation {",
    `  filesystem_mirror {`,
    `    path    = ${JSON.stringify(mirrorRoot)}`,
    `    include = ["registry.terraform.io/hashicorp/aws"]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * The stack's AWS half, ready for an offline plan: Datadog's provider, resources, variables and
 * outputs removed (no Datadog provider binary is available offline), the backend left local, the
 * aws provider pinned to the mirrored version and told not to ask AWS who it is.
 */
export function awsOnlyConfiguration(stack: SynthesizedStack, awsVersion: string): Record<string, unknown> {
  const resource = Object.fromEntries(Object.entries(stack.resource).filter(([type]) => !type.startsWith("datadog_")));
  const output = Object.fromEntries(Object.entries(stack.output).filter(([, o]) => !JSON.stringify(o.value).includes("datadog_")));
  const awsProviders = stack.provider.aws!.map((p) => ({
    ...p,
    access_key: "offline-plan",
    secret_key: "offline-plan",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  }));
  return {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: awsVersion } } },
    provider: { aws: awsProviders },
    resource,
    output,
  };
}

/** CLI configuration for a runner with a network (CI): providers from the registry, cached per run. */
export function registryCliConfig(pluginCacheDir: string): string {
  return `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}\n`;
}
