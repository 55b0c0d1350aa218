/**
 * One Terraform state bucket and the KMS key its objects are encrypted with: versioning (an
 * overwritten state can be recovered), SSE-KMS by default with a bucket key, every public access
 * blocked, ACLs off (bucket owner enforced), and a policy that refuses any request without TLS.
 * Locking is S3-native (`use_lockfile`, a `.tflock` object beside the state): no DynamoDB table.
 */
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { STATE_KEY_ALIAS } from "./names";

export interface StateBucketProps {
  readonly bucket: string;
  readonly account: string;
  readonly partition: string;
  /** The provider of the bucket's region; the stack's default when undefined. */
  readonly provider?: AwsProvider;
  readonly tags: Readonly<Record<string, string>>;
}

export class StateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const provider = props.provider ? { provider: props.provider } : {};
    const tags = { ...props.tags };
    // The default key policy (the account's IAM decides): the roles get kms:* use through their own policies.
    this.key = new KmsKey(this, "key", {
      ...provider,
      description: `Encrypts the Terraform state in s3://${props.bucket}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "AccountAdministersTheKey", Effect: "Allow", Principal: { AWS: `arn:${props.partition}:iam::${props.account}:root` }, Action: "kms:*", Resource: "*" }],
      }),
      tags,
    });
    new KmsAlias(this, "alias", { ...provider, name: STATE_KEY_ALIAS, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, "bucket", { ...provider, bucket: props.bucket, tags, lifecycle: { preventDestroy: true } });
    new S3BucketVersioningA(this, "versioning", { ...provider, bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      ...provider,
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
    });
    new S3BucketPublicAccessBlock(this, "public-access", { ...provider, bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    new S3BucketOwnershipControls(this, "ownership", { ...provider, bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketPolicy(this, "tls-only", {
      ...provider,
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "RefuseRequestsWithoutTls",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:${props.partition}:s3:::${props.bucket}`, `arn:${props.partition}:s3:::${props.bucket}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
  }
}
