#!/usr/bin/env bash
# ses-setup.sh creates (or brings up to date) everything Dargo needs in AWS
# for a support domain: the SES identity with DKIM, the receipt rule that
# stores mail in S3 and notifies SNS, the SNS topics, the SQS queues with
# dead-letter queues, the buckets (encrypted, with policies that deny
# plain-text requests and unencrypted writes; see s3-bucket.sh), the
# configuration set for bounce and complaint feedback, and the IAM policies
# of the three processes.
#
# Every step looks before it creates, so running it again is safe and
# applies changed settings. See deploy/README.md for what each piece is for.
#
#   DOMAIN=help.example.com REGION=eu-west-1 ./deploy/ses-setup.sh
#
# Parameters (environment):
#   DOMAIN           receiving and sending domain (DARGO_MAIL_DOMAIN)      required
#   REGION           an SES receiving region          default: $AWS_REGION
#   ACCOUNT          AWS account id                    default: from sts get-caller-identity
#   NAME             prefix of every resource name     default: dargo
#   RECEIPT_BUCKET   where SES stores incoming mail    default: $NAME-receipts-$ACCOUNT-$REGION
#   RECEIPT_PREFIX   key prefix in RECEIPT_BUCKET      default: inbound/
#   RECEIPT_DAYS     days before stored receipts expire default: 30
#   BLOB_BUCKET      raw mail and attachments (DARGO_BLOB_BUCKET)
#                                                      default: $NAME-blobs-$ACCOUNT-$REGION
#   BLOB_KMS_KEY     a KMS key ARN: BLOB_BUCKET is encrypted under it (SSE-KMS,
#                    DARGO_BLOB_KMS_KEY) and the process policies may use it;
#                    the key's policy must let the account's IAM policies
#                    grant it (the default key policy does)
#                                                      default: SSE-S3 (AES256)
#   RULE_SET         receipt rule set                  default: the active one, else $NAME
#   RECEIPT_ACTION   s3: SES stores each mail in RECEIPT_BUCKET and notifies
#                    the topic (any size up to 40 MB; the default)
#                    sns: SES puts the mail, base64, in the notification itself
#                    (no bucket read; mail over 150 KB bounces)    default: s3
#   RAW_DELIVERY     SNS raw message delivery (true/false) default: false
#   ROUTE53_ZONE_ID  if set, the DNS records are UPSERTed into this hosted zone;
#                    otherwise they are printed for you to create
#   INBOUND_ROLE, WORKER_ROLE, WEB_ROLE
#                    if set, IAM role names the process policies are attached to
#   PARTITION        ARN partition                     default: aws
#   ENDPOINT_URL     send every AWS call here (an emulator such as moto_server,
#                    for trying the script out; the CLI v1 ignores
#                    AWS_ENDPOINT_URL for SQS)
#
# Needs the AWS CLI (v1 or v2) with credentials allowed to manage SES, SNS,
# SQS, S3, IAM (and Route 53 when ROUTE53_ZONE_ID is set).
set -euo pipefail
shopt -s inherit_errexit

die() { echo "ses-setup: $*" >&2; exit 1; }
step() { echo "==> $*" >&2; }

: "${DOMAIN:?set DOMAIN, the support domain (e.g. help.example.com)}"
DOMAIN=$(printf '%s' "$DOMAIN" | tr '[:upper:]' '[:lower:]')
REGION=${REGION:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}
[ -n "$REGION" ] || die "set REGION (an SES receiving region, e.g. us-east-1, us-west-2, eu-west-1)"
export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION AWS_PAGER=""
command -v aws >/dev/null || die "the aws CLI is not installed"
if [ -n "${ENDPOINT_URL:-}" ]; then
	aws() { command aws --endpoint-url "$ENDPOINT_URL" "$@"; }
fi

ACCOUNT=${ACCOUNT:-$(aws sts get-caller-identity --query Account --output text)}
NAME=${NAME:-dargo}
PARTITION=${PARTITION:-aws}
RECEIPT_BUCKET=${RECEIPT_BUCKET:-$NAME-receipts-$ACCOUNT-$REGION}
RECEIPT_PREFIX=${RECEIPT_PREFIX:-inbound/}
RECEIPT_DAYS=${RECEIPT_DAYS:-30}
BLOB_BUCKET=${BLOB_BUCKET:-$NAME-blobs-$ACCOUNT-$REGION}
BLOB_KMS_KEY=${BLOB_KMS_KEY:-}
case "$BLOB_KMS_KEY" in
"" | arn:*:kms:*:key/*) ;;
*) die "BLOB_KMS_KEY: want a key ARN (arn:$PARTITION:kms:$REGION:$ACCOUNT:key/ID), got $BLOB_KMS_KEY" ;;
esac
RAW_DELIVERY=${RAW_DELIVERY:-false}
case "$RAW_DELIVERY" in true|false) ;; *) die "RAW_DELIVERY: want true or false, got $RAW_DELIVERY" ;; esac
RECEIPT_ACTION=${RECEIPT_ACTION:-s3}
case "$RECEIPT_ACTION" in s3|sns) ;; *) die "RECEIPT_ACTION: want s3 or sns, got $RECEIPT_ACTION" ;; esac

CONFIG_SET=$NAME
RULE_NAME=$NAME-$(printf '%s' "$DOMAIN" | tr '.' '-')
INBOUND_TOPIC=$NAME-inbound
FEEDBACK_TOPIC=$NAME-feedback
INBOUND_QUEUE=$NAME-inbound
FEEDBACK_QUEUE=$NAME-feedback

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# jstr prints its argument as a JSON string (for a policy inside an attribute).
jstr() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# ---------------------------------------------------------------- SES identity
step "SES domain identity $DOMAIN with Easy DKIM"
if ! aws sesv2 get-email-identity --email-identity "$DOMAIN" >/dev/null 2>&1; then
	aws sesv2 create-email-identity --email-identity "$DOMAIN" >/dev/null
fi
DKIM_TOKENS=$(aws sesv2 get-email-identity --email-identity "$DOMAIN" --query 'DkimAttributes.Tokens' --output text)

# ------------------------------------------------------------------ SQS queues
# ensure_queue NAME ATTRIBUTES_FILE prints the queue URL.
ensure_queue() {
	local url
	if ! url=$(aws sqs get-queue-url --queue-name "$1" --query QueueUrl --output text 2>/dev/null); then
		url=$(aws sqs create-queue --queue-name "$1" --query QueueUrl --output text)
	fi
	aws sqs set-queue-attributes --queue-url "$url" --attributes "file://$2"
	printf '%s' "$url"
}
queue_arn() { aws sqs get-queue-attributes --queue-url "$1" --attribute-names QueueArn --query Attributes.QueueArn --output text; }

sns_arn() { printf 'arn:%s:sns:%s:%s:%s' "$PARTITION" "$REGION" "$ACCOUNT" "$1"; }

# queue_with_dlq NAME TOPIC prints the URL of queue NAME, fed by TOPIC, with
# a dead-letter queue NAME-dlq after 5 receives.
queue_with_dlq() {
	local name=$1 topic_arn dlq_url dlq_arn url arn
	topic_arn=$(sns_arn "$2")
	step "SQS queue $name-dlq (14 days retention)" 
	cat >"$tmp/dlq.json" <<JSON
{"MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true"}
JSON
	dlq_url=$(ensure_queue "$name-dlq" "$tmp/dlq.json")
	dlq_arn=$(queue_arn "$dlq_url")
	step "SQS queue $name (visibility 300 s, long polling 20 s, redrive to $name-dlq after 5 receives)"
	url=$(ensure_queue "$name" "$tmp/dlq.json")
	arn=$(queue_arn "$url")
	local policy redrive
	policy='{"Version":"2012-10-17","Statement":[{"Sid":"AllowTopic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"'$arn'","Condition":{"ArnEquals":{"aws:SourceArn":"'$topic_arn'"}}}]}'
	redrive='{"deadLetterTargetArn":"'$dlq_arn'","maxReceiveCount":"5"}'
	cat >"$tmp/queue.json" <<JSON
{
  "VisibilityTimeout": "300",
  "ReceiveMessageWaitTimeSeconds": "20",
  "MessageRetentionPeriod": "1209600",
  "SqsManagedSseEnabled": "true",
  "RedrivePolicy": $(jstr "$redrive"),
  "Policy": $(jstr "$policy")
}
JSON
	aws sqs set-queue-attributes --queue-url "$url" --attributes "file://$tmp/queue.json"
	printf '%s' "$url"
}

# ------------------------------------------------------------------ SNS topics
step "SNS topics $INBOUND_TOPIC and $FEEDBACK_TOPIC"
INBOUND_TOPIC_ARN=$(aws sns create-topic --name "$INBOUND_TOPIC" --query TopicArn --output text)
FEEDBACK_TOPIC_ARN=$(aws sns create-topic --name "$FEEDBACK_TOPIC" --query TopicArn --output text)

INBOUND_QUEUE_URL=$(queue_with_dlq "$INBOUND_QUEUE" "$INBOUND_TOPIC")
FEEDBACK_QUEUE_URL=$(queue_with_dlq "$FEEDBACK_QUEUE" "$FEEDBACK_TOPIC")
INBOUND_QUEUE_ARN=$(queue_arn "$INBOUND_QUEUE_URL")
FEEDBACK_QUEUE_ARN=$(queue_arn "$FEEDBACK_QUEUE_URL")

# subscribe TOPIC_ARN QUEUE_ARN: SNS -> SQS, raw delivery as asked.
subscribe() {
	local sub
	sub=$(aws sns subscribe --topic-arn "$1" --protocol sqs --notification-endpoint "$2" \
		--return-subscription-arn --query SubscriptionArn --output text)
	aws sns set-subscription-attributes --subscription-arn "$sub" \
		--attribute-name RawMessageDelivery --attribute-value "$RAW_DELIVERY"
}
step "SNS -> SQS subscriptions (raw message delivery: $RAW_DELIVERY)"
subscribe "$INBOUND_TOPIC_ARN" "$INBOUND_QUEUE_ARN"
subscribe "$FEEDBACK_TOPIC_ARN" "$FEEDBACK_QUEUE_ARN"

# ------------------------------------------------------------------ S3 buckets
# s3-bucket.sh BUCKET: public access blocked, default encryption, and a
# policy denying requests without TLS and writes without encryption.
s3_bucket() {
	REGION=$REGION PARTITION=$PARTITION ACCOUNT=$ACCOUNT ENDPOINT_URL=${ENDPOINT_URL:-} \
		"$(dirname "${BASH_SOURCE[0]}")/s3-bucket.sh" "$@"
}

RULE_SET=${RULE_SET:-$(aws ses describe-active-receipt-rule-set --query Metadata.Name --output text 2>/dev/null || true)}
case "$RULE_SET" in ""|None) RULE_SET=$NAME ;; esac
# The receipt bucket stays on SSE-S3: under a KMS key SES would need a
# grant in the key's policy, and the receipts expire after RECEIPT_DAYS.
step "S3 bucket $RECEIPT_BUCKET (SSE-S3; SES writes mail under $RECEIPT_PREFIX; expires after $RECEIPT_DAYS days)"
SES_RULE_ARN="arn:$PARTITION:ses:$REGION:$ACCOUNT:receipt-rule-set/$RULE_SET:receipt-rule/$RULE_NAME" s3_bucket "$RECEIPT_BUCKET"
cat >"$tmp/lifecycle.json" <<JSON
{"Rules": [{"ID": "expire-receipts", "Status": "Enabled", "Filter": {"Prefix": "$RECEIPT_PREFIX"},
  "Expiration": {"Days": $RECEIPT_DAYS}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]}
JSON
aws s3api put-bucket-lifecycle-configuration --bucket "$RECEIPT_BUCKET" --lifecycle-configuration "file://$tmp/lifecycle.json"

step "S3 bucket $BLOB_BUCKET (DARGO_BLOB_BUCKET: raw mail and attachments, kept until erased; ${BLOB_KMS_KEY:+SSE-KMS under }${BLOB_KMS_KEY:-SSE-S3})"
KMS_KEY=$BLOB_KMS_KEY s3_bucket "$BLOB_BUCKET"

# --------------------------------------------------------- SES receipt rule
if [ "$RECEIPT_ACTION" = s3 ]; then
	step "SES receipt rule set $RULE_SET, rule $RULE_NAME: S3 action ($RECEIPT_BUCKET/$RECEIPT_PREFIX) notifying $INBOUND_TOPIC"
	action='{"S3Action": {"BucketName": "'$RECEIPT_BUCKET'", "ObjectKeyPrefix": "'$RECEIPT_PREFIX'", "TopicArn": "'$INBOUND_TOPIC_ARN'"}}'
else
	step "SES receipt rule set $RULE_SET, rule $RULE_NAME: SNS action to $INBOUND_TOPIC, BASE64 (mail over 150 KB bounces)"
	action='{"SNSAction": {"TopicArn": "'$INBOUND_TOPIC_ARN'", "Encoding": "Base64"}}'
fi
if ! aws ses describe-receipt-rule-set --rule-set-name "$RULE_SET" >/dev/null 2>&1; then
	aws ses create-receipt-rule-set --rule-set-name "$RULE_SET"
fi
cat >"$tmp/rule.json" <<JSON
{
  "Name": "$RULE_NAME",
  "Enabled": true,
  "TlsPolicy": "Optional",
  "Recipients": ["$DOMAIN"],
  "ScanEnabled": true,
  "Actions": [$action]
}
JSON
if aws ses describe-receipt-rule --rule-set-name "$RULE_SET" --rule-name "$RULE_NAME" >/dev/null 2>&1; then
	aws ses update-receipt-rule --rule-set-name "$RULE_SET" --rule "file://$tmp/rule.json"
else
	aws ses create-receipt-rule --rule-set-name "$RULE_SET" --rule "file://$tmp/rule.json"
fi
active=$(aws ses describe-active-receipt-rule-set --query Metadata.Name --output text 2>/dev/null || true)
case "$active" in
"$RULE_SET") ;;
""|None) aws ses set-active-receipt-rule-set --rule-set-name "$RULE_SET" ;;
*) echo "ses-setup: warning: rule set $active is active, not $RULE_SET: mail for $DOMAIN is not received until you activate $RULE_SET or move the rule" >&2 ;;
esac

# ------------------------------------------- configuration set and feedback
step "SES configuration set $CONFIG_SET: BOUNCE and COMPLAINT events to $FEEDBACK_TOPIC"
if ! aws sesv2 get-configuration-set --configuration-set-name "$CONFIG_SET" >/dev/null 2>&1; then
	aws sesv2 create-configuration-set --configuration-set-name "$CONFIG_SET"
fi
cat >"$tmp/event-destination.json" <<JSON
{"Enabled": true, "MatchingEventTypes": ["BOUNCE", "COMPLAINT"], "SnsDestination": {"TopicArn": "$FEEDBACK_TOPIC_ARN"}}
JSON
if [ "$(aws sesv2 get-configuration-set-event-destinations --configuration-set-name "$CONFIG_SET" \
	--query "length(EventDestinations[?Name=='feedback'])" --output text)" = 1 ]; then
	aws sesv2 update-configuration-set-event-destination --configuration-set-name "$CONFIG_SET" \
		--event-destination-name feedback --event-destination "file://$tmp/event-destination.json"
else
	aws sesv2 create-configuration-set-event-destination --configuration-set-name "$CONFIG_SET" \
		--event-destination-name feedback --event-destination "file://$tmp/event-destination.json"
fi
# Mail from this domain uses the configuration set even when the sender does not name it.
aws sesv2 put-email-identity-configuration-set-attributes --email-identity "$DOMAIN" --configuration-set-name "$CONFIG_SET"

# ---------------------------------------------------------------------- IAM
# The inbound consumer reads the depth of each queue's dead-letter queue,
# NAME-dlq beside it (queue_with_dlq).
INBOUND_DLQ_ARN=$INBOUND_QUEUE_ARN-dlq
FEEDBACK_DLQ_ARN=$FEEDBACK_QUEUE_ARN-dlq
s3obj() { printf '"arn:%s:s3:::%s/%s*"' "$PARTITION" "$1" "$2"; }
# kms ACTION... prints a statement that lets a process use BLOB_KMS_KEY for
# its blobs (a leading comma included), or nothing without one.
kms() {
	[ -n "$BLOB_KMS_KEY" ] || return 0
	local actions
	actions=$(printf '"kms:%s", ' "$@")
	printf ',\n    {"Sid": "BlobKey", "Effect": "Allow", "Action": [%s], "Resource": "%s"}' "${actions%, }" "$BLOB_KMS_KEY"
}
s3bucket() { printf '"arn:%s:s3:::%s"' "$PARTITION" "$1"; }
cat >"$tmp/iam-inbound.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Queues", "Effect": "Allow",
     "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
     "Resource": ["$INBOUND_QUEUE_ARN", "$FEEDBACK_QUEUE_ARN"]},
    {"Sid": "DeadLetterDepth", "Effect": "Allow",
     "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
     "Resource": ["$INBOUND_DLQ_ARN", "$FEEDBACK_DLQ_ARN"]},
    {"Sid": "ReadReceipts", "Effect": "Allow", "Action": "s3:GetObject", "Resource": $(s3obj "$RECEIPT_BUCKET" "$RECEIPT_PREFIX")},
    {"Sid": "ListReceipts", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": $(s3bucket "$RECEIPT_BUCKET"),
     "Condition": {"StringLike": {"s3:prefix": "$RECEIPT_PREFIX*"}}},
    {"Sid": "Blobs", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": $(s3obj "$BLOB_BUCKET" "")},
    {"Sid": "ListBlobs", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": $(s3bucket "$BLOB_BUCKET")}$(kms GenerateDataKey Decrypt)
  ]
}
JSON
cat >"$tmp/iam-worker.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Send", "Effect": "Allow", "Action": ["ses:SendRawEmail", "ses:SendEmail"],
     "Resource": ["arn:$PARTITION:ses:$REGION:$ACCOUNT:identity/$DOMAIN",
                  "arn:$PARTITION:ses:$REGION:$ACCOUNT:configuration-set/$CONFIG_SET"]},
    {"Sid": "Quota", "Effect": "Allow", "Action": "ses:GetAccount", "Resource": "*"},
    {"Sid": "Attachments", "Effect": "Allow", "Action": "s3:GetObject", "Resource": $(s3obj "$BLOB_BUCKET" "")},
    {"Sid": "ListBlobs", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": $(s3bucket "$BLOB_BUCKET")}$(kms Decrypt)
  ]
}
JSON
cat >"$tmp/iam-web.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Blobs", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": $(s3obj "$BLOB_BUCKET" "")},
    {"Sid": "ListBlobs", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": $(s3bucket "$BLOB_BUCKET")}$(kms GenerateDataKey Decrypt)
  ]
}
JSON

# ensure_policy NAME FILE creates the managed policy or makes FILE its default version.
ensure_policy() {
	local arn="arn:$PARTITION:iam::$ACCOUNT:policy/$1" v
	if aws iam get-policy --policy-arn "$arn" >/dev/null 2>&1; then
		# A policy keeps at most 5 versions: drop the old ones first.
		for v in $(aws iam list-policy-versions --policy-arn "$arn" \
			--query 'Versions[?!IsDefaultVersion].VersionId' --output text); do
			aws iam delete-policy-version --policy-arn "$arn" --version-id "$v"
		done
		aws iam create-policy-version --policy-arn "$arn" --policy-document "file://$2" --set-as-default >/dev/null
	else
		aws iam create-policy --policy-name "$1" --policy-document "file://$2" >/dev/null
	fi
	printf '%s' "$arn"
}
step "IAM policies $NAME-inbound, $NAME-worker, $NAME-web"
for proc in inbound worker web; do
	arn=$(ensure_policy "$NAME-$proc" "$tmp/iam-$proc.json")
	role_var=$(printf '%s_ROLE' "$proc" | tr '[:lower:]' '[:upper:]')
	role=${!role_var:-}
	if [ -n "$role" ]; then
		aws iam attach-role-policy --role-name "$role" --policy-arn "$arn"
		echo "    $arn attached to role $role" >&2
	else
		echo "    $arn (attach it to the $proc process's role; or set $role_var)" >&2
	fi
done

# ---------------------------------------------------------------------- DNS
records=("$DOMAIN. MX 10 inbound-smtp.$REGION.amazonaws.com")
case "$DKIM_TOKENS" in
""|None) echo "ses-setup: warning: SES gave no DKIM tokens for $DOMAIN (see aws sesv2 get-email-identity)" >&2 ;;
*) for t in $DKIM_TOKENS; do records+=("$t._domainkey.$DOMAIN. CNAME $t.dkim.amazonses.com"); done ;;
esac
# DOMAIN should be a subdomain of its own (help.example.com): its MX record
# sends all of its mail to SES.
if [ -n "${ROUTE53_ZONE_ID:-}" ]; then
	step "Route 53: UPSERT the MX and DKIM records in zone $ROUTE53_ZONE_ID"
	changes=""
	for r in "${records[@]}"; do
		read -r rname rtype rvalue <<<"$r"
		[ -n "$changes" ] && changes+=","
		changes+='{"Action":"UPSERT","ResourceRecordSet":{"Name":"'$rname'","Type":"'$rtype'","TTL":300,"ResourceRecords":[{"Value":'$(jstr "$rvalue")'}]}}'
	done
	printf '{"Comment":"dargo ses-setup","Changes":[%s]}' "$changes" >"$tmp/dns.json"
	aws route53 change-resource-record-sets --hosted-zone-id "$ROUTE53_ZONE_ID" --change-batch "file://$tmp/dns.json" >/dev/null
else
	step "DNS records to create at your DNS provider (then wait for SES to verify the domain):"
	for r in "${records[@]}"; do echo "    $r" >&2; done
fi
echo "    and, unless $DOMAIN or its parent has one: _dmarc.$DOMAIN. TXT \"v=DMARC1; p=none;\"" >&2

# --------------------------------------------------------------------- done
verify=true
[ "$RAW_DELIVERY" = true ] && verify=false # raw delivery drops the SNS envelope and its signature
cat <<ENV
# Dargo production settings (for dargo inbound, worker and web)
AWS_REGION=$REGION
DARGO_MAIL_DOMAIN=$DOMAIN
DARGO_SQS_QUEUE_URL=$INBOUND_QUEUE_URL
DARGO_SQS_FEEDBACK_QUEUE_URL=$FEEDBACK_QUEUE_URL
DARGO_BLOB_BUCKET=$BLOB_BUCKET
DARGO_SNS_VERIFY=$verify
DARGO_SNS_TOPIC_ARNS=$INBOUND_TOPIC_ARN,$FEEDBACK_TOPIC_ARN
DARGO_SPAM_POLICY=quarantine
DARGO_MAILER=ses
ENV
[ -z "$BLOB_KMS_KEY" ] || echo "DARGO_BLOB_KMS_KEY=$BLOB_KMS_KEY"
