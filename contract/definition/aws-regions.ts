/**
 * The AWS regions a definition may name, by partition.
 *
 * Source: the AWS SDK for JavaScript v3's endpoint partitions data (the `partitions.json` that
 * aws/aws-sdk-js-v3 publishes in `@aws-sdk/util-endpoints`, shipped here inside the installed
 * `@aws-sdk/core` as `dist-es/submodules/client/util-endpoints/lib/aws/partitions.js`). That file
 * is not exported as data, so the names are copied here, and test/contract/definition/aws-regions.test.ts
 * compares this table with the installed SDK's file: an SDK update that adds a region fails that
 * test until the region is added here.
 *
 * Only the partitions whose ARNs the stack can build (aws, aws-cn, aws-us-gov; see awsPartition in
 * contract/names.ts) are listed. The SDK's pseudo-regions (`aws-global`, `aws-cn-global`, …) are not
 * regions anyone deploys to and are left out.
 */

export const AWS_REGIONS_BY_PARTITION = {
  aws: [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "me-west-1",
    "mx-central-1",
    "sa-east-1",
    "sa-west-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
} as const;

/** Every region a definition may name, in the partitions above. */
export const AWS_REGIONS: readonly string[] = Object.values(AWS_REGIONS_BY_PARTITION).flat();

/** Whether `region` is one of {@link AWS_REGIONS}. */
export function isAwsRegion(region: string): boolean {
  return AWS_REGIONS.includes(region);
}
