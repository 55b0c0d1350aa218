/**
 * `npm run onboard -- --state-kms-key`: the bootstrap stack's key alias reaches backend.kmsKeyId of
 * the written definition; a wrong ARN is refused naming the flag; without --state-bucket it is refused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../../cli/onboard/main";
import { loadEnvironments } from "../../../stacks/environment/load";
import { memoryIo, tempDir } from "../../helpers/cli-harness";

const FP = "3F:1A:9C:44:0B:7E:52:D1:8A:6C:E0:21:95:BB:47:0D:C8:F3:6E:19:A2:5D:73:08:E4:9B:31:CC:57:0A:F6:2E";
const REQUIRED = [
  "--name", "acme-prod",
  "--region", "eu-west-1",
  "--vpc", "vpc-0a1b2c3d4e5f60718",
  "--subnets", "subnet-0a1b2c3d4e5f60001",
  "--controller", `name=vns3-a,host=10.0.1.10,sg=sg-0a1b2c3d4e5f60101,fingerprint=${FP}`,
  "--site", "EU",
  "--webhook-url", "https://tickets.acme.example/api/datadog",
];
const ALIAS = "arn:aws:kms:eu-west-1:123456789012:alias/vpn-monitor-state";

describe("onboard --state-kms-key", () => {
  it("writes backend.kmsKeyId, which the definition then validates with", async () => {
    const { dir, remove } = tempDir("onboard-kms-");
    const io = memoryIo({ cwd: dir });
    expect(await main([...REQUIRED, "--state-bucket", "acme-vpn-state", "--state-kms-key", ALIAS, "--dir", dir], io)).toBe(0);
    const written = fs.readFileSync(path.join(dir, "acme-prod.yaml"), "utf8");
    expect(written).toContain(`backend:\n  type: s3\n  bucket: acme-vpn-state\n  kmsKeyId: ${ALIAS}\n`);
    expect(loadEnvironments(dir)[0]!.definition.backend).toEqual({ type: "s3", bucket: "acme-vpn-state", kmsKeyId: ALIAS });
    remove();
  });

  it("refuses an ARN that is not a KMS key's, naming the flag, and writes nothing", async () => {
    const { dir, remove } = tempDir("onboard-kms-");
    const io = memoryIo({ cwd: dir });
    expect(await main([...REQUIRED, "--state-bucket", "acme-vpn-state", "--state-kms-key", "alias/vpn-monitor-state", "--dir", dir], io)).toBe(1);
    expect(io.err()).toContain("--state-kms-key");
    expect(io.err()).toContain("is not a KMS key ARN");
    expect(fs.readdirSync(dir)).toEqual([]);
    remove();
  });

  it("needs --state-bucket", async () => {
    const { dir, remove } = tempDir("onboard-kms-");
    const io = memoryIo({ cwd: dir });
    expect(await main([...REQUIRED, "--local-state", "--state-kms-key", ALIAS, "--dir", dir], io)).not.toBe(0);
    expect(io.err()).toContain("--state-kms-key");
    expect(io.err()).toContain("needs --state-bucket");
    remove();
  });
});
