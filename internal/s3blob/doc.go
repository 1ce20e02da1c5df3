// Package s3blob keeps Dargo's blobs (raw mail, attachments) in an S3 bucket
// and reads the mail that an SES receipt rule's S3 action stored.
//
// A Store implements store.Blobs: keys are content addresses such as
// "raw/<sha256>", stored as objects under an optional prefix, so a Put is
// idempotent (the same key always carries the same bytes) and a rolled-back
// database transaction leaves at most a harmless orphan object. The store
// package itself never imports AWS; the process wiring sets db.Blobs to a
// Store when DARGO_BLOB_BUCKET is set.
//
// Every object Put writes asks S3 to encrypt it at rest: SSE-S3 (AES256)
// by default, SSE-KMS under DARGO_BLOB_KMS_KEY when that is set. The
// request carries the header even when the bucket encrypts by default, so a
// bucket policy may deny writes without it.
//
// Mails are at most 40 MB, so an object is written with one PutObject and
// read with one GetObject into a buffer sized from its ContentLength; no
// multipart transfer manager is needed below S3's 5 GB single-PUT limit.
//
// The client comes from the AWS SDK's standard configuration chain
// (AWS_REGION, credentials, AWS_ENDPOINT_URL_S3), so emulators such as moto
// or MinIO need no code change; with a custom endpoint the client uses
// path-style addressing, which emulators need.
package s3blob
