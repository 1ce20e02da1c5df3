package s3blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/s3blob"
	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// motoClient points the SDK at moto and returns a client and a fresh bucket.
func motoClient(t *testing.T) (*s3.Client, string) {
	t.Helper()
	testaws.Env(t, testaws.Moto(t))
	ctx := context.Background()
	client, err := s3blob.LoadClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return client, newBucket(t, client)
}

// newBucket creates a bucket with a unique name (moto may be shared).
func newBucket(t *testing.T, client *s3.Client) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "dargo-test-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return name
}

func listKeys(t *testing.T, client *s3.Client, bucket string) []string {
	t.Helper()
	out, err := client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("list %s: %v", bucket, err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	slices.Sort(keys)
	return keys
}

func TestS3RoundTrip(t *testing.T) {
	client, bucket := motoClient(t)
	ctx := context.Background()
	bs := s3blob.New(client, bucket, "dargo", "")

	big := make([]byte, 5<<20)
	rand.Read(big)
	cases := []struct {
		name string
		data []byte
	}{
		{"small", []byte("From: a@example.org\r\n\r\nhello\r\n")},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe, '\r', '\n', 0}},
		{"empty", []byte{}},
		{"5MB", big},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := store.BlobKey("raw", c.data)
			for range 2 { // Put is idempotent
				if err := bs.Put(ctx, key, c.data); err != nil {
					t.Fatalf("put: %v", err)
				}
			}
			got, err := bs.Get(ctx, key)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if got == nil || !bytes.Equal(got, c.data) {
				t.Fatalf("get returned %d bytes (nil: %v), want %d byte-exact", len(got), got == nil, len(c.data))
			}
			if !slices.Contains(listKeys(t, client, bucket), "dargo/"+key) {
				t.Errorf("no object dargo/%s in the bucket", key)
			}
			if err := bs.Delete(ctx, key); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if _, err := bs.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("get after delete: %v, want store.ErrNotFound", err)
			}
			if err := bs.Delete(ctx, key); err != nil {
				t.Errorf("deleting a missing key: %v", err)
			}
		})
	}
}

func TestS3GetMissing(t *testing.T) {
	client, bucket := motoClient(t)
	_, err := s3blob.New(client, bucket, "", "").Get(context.Background(), "att/"+strings.Repeat("0", 64))
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get missing: %v, want store.ErrNotFound", err)
	}
	// A missing bucket is a configuration error, not a missing blob.
	_, err = s3blob.New(client, bucket+"-gone", "", "").Get(context.Background(), "raw/x")
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get from a missing bucket: %v, want an error that is not ErrNotFound", err)
	}
}

func TestS3Fetch(t *testing.T) {
	client, bucket := motoClient(t)
	ctx := context.Background()
	raw := []byte("Return-Path: <a@example.org>\r\nSubject: via SES S3 action\r\n\r\nbody\r\n")
	_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbound/o3vljh5t0ndq"), Body: bytes.NewReader(raw)})
	if err != nil {
		t.Fatal(err)
	}
	f := s3blob.NewFetcher(client)
	got, err := f.Fetch(ctx, bucket, "inbound/o3vljh5t0ndq")
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("fetch: %q, %v", got, err)
	}
	// Store.Fetch reads other buckets than its own.
	if got, err := s3blob.New(client, "elsewhere", "", "").Fetch(ctx, bucket, "inbound/o3vljh5t0ndq"); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("store fetch: %q, %v", got, err)
	}
	for _, c := range []struct{ bucket, key, want string }{
		{bucket, "inbound/missing", "object does not exist"},
		{bucket + "-gone", "inbound/o3vljh5t0ndq", "bucket does not exist"},
	} {
		_, err := f.Fetch(ctx, c.bucket, c.key)
		if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "s3://"+c.bucket+"/"+c.key) {
			t.Errorf("fetch s3://%s/%s: %v, want ErrNotFound saying %q", c.bucket, c.key, err, c.want)
		}
	}
}

func TestS3FromEnv(t *testing.T) {
	client, bucket := motoClient(t)
	ctx := context.Background()
	bs, err := s3blob.FromEnv(ctx, bucket, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := bs.Put(ctx, "att/abc", []byte("x")); err != nil {
		t.Fatalf("put through FromEnv's client (path-style for the emulator): %v", err)
	}
	if keys := listKeys(t, client, bucket); !slices.Equal(keys, []string{"att/abc"}) {
		t.Errorf("objects %v, want [att/abc] (no prefix)", keys)
	}
	prefixed, err := s3blob.FromEnv(ctx, bucket+"/dargo", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := prefixed.Put(ctx, "att/abc", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if keys := listKeys(t, client, bucket); !slices.Equal(keys, []string{"att/abc", "dargo/att/abc"}) {
		t.Errorf("objects %v, want [att/abc dargo/att/abc] (bucket/prefix form)", keys)
	}
	if _, err := s3blob.FromEnv(ctx, "", ""); err == nil {
		t.Error("FromEnv without a bucket must fail")
	}
}

// pdf is an attachment's bytes; the mail carries them in base64.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

var mailWithAttachment = "From: Kim Lee <kim@example.org>\r\n" +
	"To: support@help.example.com\r\n" +
	"Subject: Invoice attached\r\n" +
	"Message-ID: <s3blob-test-1@example.org>\r\n" +
	"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"The invoice is wrong, see attached.\r\n" +
	"--b1\r\n" +
	"Content-Type: application/pdf; name=\"invoice.pdf\"\r\n" +
	"Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	base64.StdEncoding.EncodeToString(pdf) + "\r\n" +
	"--b1--\r\n"

func TestS3BlobsUnderThePipeline(t *testing.T) {
	testaws.Env(t, testaws.Moto(t))
	ctx := context.Background()
	client, err := s3blob.LoadClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		bucket := newBucket(t, client)
		db.Blobs = s3blob.New(client, bucket, "blobs/", "")
		raw := []byte(mailWithAttachment)
		p := inbound.NewPipeline(db, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 40 << 20})
		res, err := p.Ingest(ctx, raw, inbound.Envelope{})
		if err != nil {
			t.Fatalf("ingest: %v", err)
		}
		if res.Action != store.ActionCreated || res.Message == nil {
			t.Fatalf("ingest: %+v, want created", res)
		}

		rawKey, attKey := store.BlobKey("raw", raw), store.BlobKey("att", pdf)
		want := []string{"blobs/" + attKey, "blobs/" + rawKey}
		slices.Sort(want)
		if got := listKeys(t, client, bucket); !slices.Equal(got, want) {
			t.Errorf("bucket holds %v, want %v", got, want)
		}
		var n int
		if err := db.X.GetContext(ctx, &n, `SELECT COUNT(*) FROM blobs`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows in the blobs table, want 0: the bytes belong in S3", n)
		}

		var id int64
		if err := db.X.GetContext(ctx, &id, `SELECT id FROM inbound_mail`); err != nil {
			t.Fatal(err)
		}
		rec, err := db.InboundMail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.BlobKey != rawKey {
			t.Errorf("inbound_mail.blob_key = %q, want %q", rec.BlobKey, rawKey)
		}
		if got, err := db.InboundRaw(ctx, rec); err != nil || !bytes.Equal(got, raw) {
			t.Errorf("InboundRaw: %d bytes, %v; want the raw mail", len(got), err)
		}
		var key string
		if err := db.X.GetContext(ctx, &key, `SELECT blob_key FROM attachments`); err != nil {
			t.Fatal(err)
		}
		if key != attKey {
			t.Errorf("attachments.blob_key = %q, want %q", key, attKey)
		}
		if got, err := db.Blobs.Get(ctx, key); err != nil || !bytes.Equal(got, pdf) {
			t.Errorf("attachment from S3: %q, %v", got, err)
		}

		// The same mail again is a duplicate and writes nothing new.
		if res, err := p.Ingest(ctx, raw, inbound.Envelope{}); err != nil || res.Action != store.ActionDuplicate {
			t.Errorf("second ingest: %+v, %v", res, err)
		}
		if got := listKeys(t, client, bucket); !slices.Equal(got, want) {
			t.Errorf("after the duplicate the bucket holds %v", got)
		}
	})
}

// TestS3ErasureDeletesObjects: erasing a person deletes the S3 objects of
// their raw mail and files, and keeps bytes another person's file shares.
func TestS3ErasureDeletesObjects(t *testing.T) {
	testaws.Env(t, testaws.Moto(t))
	ctx := context.Background()
	client, err := s3blob.LoadClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		bucket := newBucket(t, client)
		db.Blobs = s3blob.New(client, bucket, "blobs/", "")
		p := inbound.NewPipeline(db, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 40 << 20})
		if _, err := p.Ingest(ctx, []byte(mailWithAttachment), inbound.Envelope{}); err != nil {
			t.Fatal(err)
		}
		// Someone else sends the very same PDF.
		other := strings.Replace(strings.Replace(mailWithAttachment, "Kim Lee <kim@example.org>", "Sam <sam@example.org>", 1),
			"Message-ID: <", "Message-ID: <other-", 1)
		if _, err := p.Ingest(ctx, []byte(other), inbound.Envelope{}); err != nil {
			t.Fatal(err)
		}
		if got := listKeys(t, client, bucket); len(got) != 3 {
			t.Fatalf("bucket before: %v (want two raw mails and one shared PDF)", got)
		}
		kim, err := db.UserByEmail(ctx, "kim@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, kim.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		got := listKeys(t, client, bucket)
		want := []string{"blobs/" + store.BlobKey("att", pdf), "blobs/" + store.BlobKey("raw", []byte(other))}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("bucket after erasing kim: %v, want %v (sam's mail and the PDF sam shares)", got, want)
		}
		if data, err := db.Blobs.Get(ctx, store.BlobKey("att", pdf)); err != nil || !bytes.Equal(data, pdf) {
			t.Errorf("sam's PDF: %v", err)
		}
	})
}
