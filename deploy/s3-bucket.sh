#!/usr/bin/env bash
# s3-bucket.sh creates (or brings up to date) one of Dargo's S3 buckets so
# that what it holds is encrypted at rest and in transit: all public access
# blocked, default encryption on (SSE-S3, or SSE-KMS under KMS_KEY), and a
# bucket policy that denies every request made without TLS and every write
# that asks for no encryption or another kind. deploy/ses-setup.sh runs it
# for the receipt bucket and the blob bucket; run alone, it secures a
# bucket you made yourself. Running it again is safe.
#
#   REGION=eu-west-1 ./deploy/s3-bucket.sh BUCKET
#
# Parameters (environment):
#   REGION        the bucket's region                               required
#   KMS_KEY       a KMS key ARN: default encryption SSE-KMS under it (with an
#                 S3 Bucket Key), and writes must ask for aws:kms
#                 (DARGO_BLOB_KMS_KEY); unset: SSE-S3 (AES256), and writes
#                 must ask for AES256 or aws:kms
#   SES_RULE_ARN  the SES receipt rule allowed to write here (the receipt
#                 bucket). SES's S3 action names no encryption, so in this
#                 bucket a write without the header is left to the default
#                 encryption; one that names another kind is still denied.
#   ACCOUNT       with SES_RULE_ARN: the account SES writes for
#   PARTITION     ARN partition                                     default: aws
#   ENDPOINT_URL  send every AWS call here (an emulator, as for ses-setup.sh)
set -euo pipefail
shopt -s inherit_errexit

die() { echo "s3-bucket: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: REGION=… $0 BUCKET"
BUCKET=$1
: "${REGION:?set REGION, the region of the bucket}"
PARTITION=${PARTITION:-aws}
KMS_KEY=${KMS_KEY:-}
SES_RULE_ARN=${SES_RULE_ARN:-}
case "$KMS_KEY" in
"" | arn:*:kms:*:key/*) ;;
*) die "KMS_KEY: want a key ARN (arn:$PARTITION:kms:REGION:ACCOUNT:key/ID), got $KMS_KEY" ;;
esac
if [ -n "$SES_RULE_ARN" ]; then
	: "${ACCOUNT:?set ACCOUNT with SES_RULE_ARN}"
fi
export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION AWS_PAGER=""
command -v aws >/dev/null || die "the aws CLI is not installed"
if [ -n "${ENDPOINT_URL:-}" ]; then
	aws() { command aws --endpoint-url "$ENDPOINT_URL" "$@"; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! aws s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
	if [ "$REGION" = us-east-1 ]; then
		aws s3api create-bucket --bucket "$BUCKET" >/dev/null
	else
		aws s3api create-bucket --bucket "$BUCKET" --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
	fi
fi
aws s3api put-public-access-block --bucket "$BUCKET" --public-access-block-configuration \
	BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true

# Default encryption: objects written without the header are encrypted too.
if [ -n "$KMS_KEY" ]; then
	rule='{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "'$KMS_KEY'"}, "BucketKeyEnabled": true}'
	allowed='"aws:kms"'
else
	rule='{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}'
	allowed='["AES256", "aws:kms"]'
fi
cat >"$tmp/encryption.json" <<JSON
{"Rules": [$rule]}
JSON
aws s3api put-bucket-encryption --bucket "$BUCKET" --server-side-encryption-configuration "file://$tmp/encryption.json"

# The bucket policy. Deny statements win over any Allow, the account's own
# users and roles included. Negated operators (StringNotEquals) also match
# a missing header, hence the Null condition beside them.
bucket_arn="arn:$PARTITION:s3:::$BUCKET"
statements='
    {"Sid": "DenyWithoutTLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["'$bucket_arn'", "'$bucket_arn'/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyOtherEncryption", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": "'$bucket_arn'/*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": '$allowed'},
                   "Null": {"s3:x-amz-server-side-encryption": "false"}}}'
if [ -n "$SES_RULE_ARN" ]; then
	statements+=',
    {"Sid": "AllowSESPuts", "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "s3:PutObject",
     "Resource": "'$bucket_arn'/*",
     "Condition": {"StringEquals": {"aws:SourceAccount": "'$ACCOUNT'", "aws:SourceArn": "'$SES_RULE_ARN'"}}}'
else
	statements+=',
    {"Sid": "DenyUnencryptedPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": "'$bucket_arn'/*",
     "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}'
fi
cat >"$tmp/policy.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [$statements
  ]
}
JSON
aws s3api put-bucket-policy --bucket "$BUCKET" --policy "file://$tmp/policy.json"
