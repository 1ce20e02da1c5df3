package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/dargo-support/dargo/internal/awslog"
	"github.com/dargo-support/dargo/store"
)

// Store keeps blobs as objects in one bucket, under a key prefix, each
// encrypted at rest by S3.
type Store struct {
	client *s3.Client
	bucket string
	prefix string
	kmsKey string
}

var _ store.Blobs = (*Store)(nil)

// New returns a blob store in bucket. A non-empty prefix is a folder for
// Dargo's objects ("dargo" and "dargo/" both give "dargo/raw/<sha256>").
// Every object it writes asks for server-side encryption: SSE-KMS under
// kmsKey (a key id, key ARN or alias ARN) when kmsKey is set, else SSE-S3
// (AES256).
func New(client *s3.Client, bucket, prefix, kmsKey string) *Store {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &Store{client: client, bucket: bucket, prefix: prefix, kmsKey: kmsKey}
}

// FromEnv returns a blob store in bucket with a client from the
// environment (see LoadClient). bucket may name a prefix after a slash
// ("my-bucket/dargo"), as DARGO_BLOB_BUCKET may; bucket names never
// contain one. kmsKey is as for New.
func FromEnv(ctx context.Context, bucket, kmsKey string) (*Store, error) {
	bucket, prefix, _ := strings.Cut(bucket, "/")
	if bucket == "" {
		return nil, errors.New("s3blob: no bucket")
	}
	client, err := LoadClient(ctx)
	if err != nil {
		return nil, err
	}
	return New(client, bucket, prefix, kmsKey), nil
}

// LoadClient builds an S3 client from the SDK's standard configuration
// chain. When AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) points it at an
// emulator, it addresses buckets path-style (http://host/bucket/key), since
// emulators do not serve bucket subdomains.
func LoadClient(ctx context.Context) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx, awslog.Option())
	if err != nil {
		return nil, fmt.Errorf("s3blob: aws config: %w", err)
	}
	pathStyle := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		// SES's S3 action and emulators store objects without checksums;
		// the SDK would log a line for each such GetObject.
		o.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}

// Put stores data under key, encrypted at rest. Keys are content
// addresses, so writing a key again writes the same bytes and changes
// nothing.
func (s *Store) Put(ctx context.Context, key string, data []byte) error {
	in := &s3.PutObjectInput{
		Bucket:               aws.String(s.bucket),
		Key:                  aws.String(s.prefix + key),
		Body:                 bytes.NewReader(data),
		ContentLength:        aws.Int64(int64(len(data))),
		ContentType:          aws.String("application/octet-stream"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	}
	// The header is sent even when the bucket encrypts by default: a bucket
	// policy that denies writes without it (deploy/ses-setup.sh sets one)
	// then holds, and no object depends on how the bucket was configured.
	if s.kmsKey != "" {
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(s.kmsKey)
	}
	_, err := s.client.PutObject(ctx, in)
	if err != nil {
		return fmt.Errorf("s3blob: put %s: %w", key, err)
	}
	return nil
}

// Get returns the bytes under key; a missing key is store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := get(ctx, s.client, s.bucket, s.prefix+key)
	if err != nil {
		if isNoSuchKey(err) {
			return nil, fmt.Errorf("s3blob: get %s: %w", key, store.ErrNotFound)
		}
		return nil, fmt.Errorf("s3blob: get %s: %w", key, err)
	}
	return data, nil
}

// Delete removes key; deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.prefix + key),
	})
	if err != nil {
		return fmt.Errorf("s3blob: delete %s: %w", key, err)
	}
	return nil
}

// Fetch reads any object with the store's client (see Fetcher.Fetch).
func (s *Store) Fetch(ctx context.Context, bucket, key string) ([]byte, error) {
	return NewFetcher(s.client).Fetch(ctx, bucket, key)
}

// get reads a whole object into a buffer sized from its ContentLength, so a
// 40 MB mail costs 40 MB and no regrowing copies.
func get(ctx context.Context, client *s3.Client, bucket, key string) ([]byte, error) {
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	n := aws.ToInt64(out.ContentLength)
	if n <= 0 {
		data, err := io.ReadAll(out.Body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if data == nil {
			data = []byte{}
		}
		return data, nil
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(out.Body, data); err != nil {
		return nil, fmt.Errorf("read body (%d bytes expected): %w", n, err)
	}
	// Reading to EOF lets the SDK check the response checksum, if any.
	if extra, err := io.Copy(io.Discard, out.Body); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	} else if extra > 0 {
		return nil, fmt.Errorf("read body: %d bytes more than ContentLength %d", extra, n)
	}
	return data, nil
}

// isNoSuchKey reports whether err says the object does not exist.
func isNoSuchKey(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}

// isNoSuchBucket reports whether err says the bucket does not exist.
func isNoSuchBucket(err error) bool {
	var nsb *types.NoSuchBucket
	if errors.As(err, &nsb) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket"
}
