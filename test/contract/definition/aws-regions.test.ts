/**
 * The region table against its source: the AWS SDK's endpoint partitions data in the installed
 * @aws-sdk/core (dist-es/submodules/client/util-endpoints/lib/aws/partitions.js). When an SDK
 * update adds a region, this fails and names it, until contract/definition/aws-regions.ts lists it.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { AWS_REGIONS, AWS_REGIONS_BY_PARTITION, isAwsRegion } from "../../../contract/definition/aws-regions";

interface PartitionsData {
  partitions: { id: string; regions: Record<string, unknown> }[];
}

function installedPartitions(): PartitionsData {
  const coreDir = path.dirname(require.resolve("@aws-sdk/core/package.json"));
  const text = readFileSync(path.join(coreDir, "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js"), "utf8");
  // The module is one exported object literal written as JSON.
  const json = text.replace(/^\s*export const partitionsInfo\s*=\s*/, "").replace(/;\s*$/, "");
  return JSON.parse(json) as PartitionsData;
}

describe("the AWS region table", () => {
  const sdk = installedPartitions();

  it.each(Object.keys(AWS_REGIONS_BY_PARTITION))("lists exactly the SDK's regions of the %s partition, without its -global pseudo-regions", (id) => {
    const partition = sdk.partitions.find((p) => p.id === id);
    expect(partition).toBeDefined();
    const regions = Object.keys(partition!.regions).filter((r) => !r.endsWith("-global")).sort();
    expect([...AWS_REGIONS_BY_PARTITION[id as keyof typeof AWS_REGIONS_BY_PARTITION]].sort()).toEqual(regions);
  });

  it("knows real regions and nothing else", () => {
    expect(AWS_REGIONS).toHaveLength(40);
    expect(["eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-5"].every(isAwsRegion)).toBe(true);
    expect(["eu-west-9", "us-east", "aws-global", "EU-WEST-1", "us-iso-east-1"].some(isAwsRegion)).toBe(false);
  });
});
