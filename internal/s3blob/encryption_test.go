package s3blob_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/dargo-support/dargo/internal/s3blob"
	"github.com/dargo-support/dargo/internal/testaws"
)

// TestS3ObjectsAreEncrypted writes through the store and asks S3 (moto)
// how each object is stored: SSE-S3 by default, SSE-KMS under the
// configured key. The bucket has no default encryption, so the header
// moto reports can only come from the store's own request.
func TestS3ObjectsAreEncrypted(t *testing.T) {
	client, bucket := motoClient(t)
	ctx := context.Background()
	kmsKey := createKMSKey(t, testaws.Moto(t))

	plain, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("control"), Body: bytes.NewReader([]byte("x"))})
	if err != nil {
		t.Fatal(err)
	}
	if plain.ServerSideEncryption != "" {
		t.Fatalf("the test bucket encrypts by default (%q): the test could not tell who asked for encryption", plain.ServerSideEncryption)
	}

	for _, c := range []struct {
		name, kmsKey string
		want         types.ServerSideEncryption
	}{
		{"SSE-S3 by default", "", types.ServerSideEncryptionAes256},
		{"SSE-KMS with a key", kmsKey, types.ServerSideEncryptionAwsKms},
	} {
		t.Run(c.name, func(t *testing.T) {
			bs := s3blob.New(client, bucket, c.name, c.kmsKey)
			if err := bs.Put(ctx, "raw/abc", []byte("From: a@example.org\r\n\r\nhi\r\n")); err != nil {
				t.Fatal(err)
			}
			head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(c.name + "/raw/abc")})
			if err != nil {
				t.Fatal(err)
			}
			if head.ServerSideEncryption != c.want {
				t.Errorf("ServerSideEncryption %q, want %q", head.ServerSideEncryption, c.want)
			}
			if got := aws.ToString(head.SSEKMSKeyId); got != c.kmsKey {
				t.Errorf("SSEKMSKeyId %q, want %q", got, c.kmsKey)
			}
			// Reading needs nothing more: S3 decrypts for a caller allowed to.
			if got, err := bs.Get(ctx, "raw/abc"); err != nil || !bytes.HasPrefix(got, []byte("From: ")) {
				t.Errorf("get: %q, %v", got, err)
			}
		})
	}
}

// createKMSKey creates a symmetric key in moto's KMS and returns its ARN.
// It speaks KMS's JSON protocol directly: the KMS SDK is not a dependency,
// and moto does not check signatures, only which service the credential
// scope names.
func createKMSKey(t *testing.T, endpoint string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader([]byte(`{"Description":"dargo blobs (test)"}`)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.CreateKey")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ KeyMetadata struct{ Arn string } }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.KeyMetadata.Arn == "" {
		t.Fatalf("kms CreateKey: status %d, %+v, %v", resp.StatusCode, out, err)
	}
	return out.KeyMetadata.Arn
}
