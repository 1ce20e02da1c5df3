package s3blob

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/dargo-support/dargo/store"
)

// Fetcher reads objects from any bucket: the inbound consumer uses it for
// the mail an SES receipt rule's S3 action stored, which lives in the
// receipt bucket, not in Dargo's blob bucket.
type Fetcher struct {
	client *s3.Client
}

// NewFetcher returns a fetcher on client.
func NewFetcher(client *s3.Client) *Fetcher { return &Fetcher{client: client} }

// FetcherFromEnv returns a fetcher with a client from the environment
// (see LoadClient).
func FetcherFromEnv(ctx context.Context) (*Fetcher, error) {
	client, err := LoadClient(ctx)
	if err != nil {
		return nil, err
	}
	return NewFetcher(client), nil
}

// Fetch returns the whole object bucket/key. A missing object or bucket
// gives an error that says so and wraps store.ErrNotFound; retrying will
// not make it appear, so the caller may leave the message to the queue's
// redrive policy.
func (f *Fetcher) Fetch(ctx context.Context, bucket, key string) ([]byte, error) {
	data, err := get(ctx, f.client, bucket, key)
	switch {
	case err == nil:
		return data, nil
	case isNoSuchKey(err):
		return nil, fmt.Errorf("s3blob: fetch s3://%s/%s: object does not exist: %w", bucket, key, store.ErrNotFound)
	case isNoSuchBucket(err):
		return nil, fmt.Errorf("s3blob: fetch s3://%s/%s: bucket does not exist: %w", bucket, key, store.ErrNotFound)
	default:
		return nil, fmt.Errorf("s3blob: fetch s3://%s/%s: %w", bucket, key, err)
	}
}
