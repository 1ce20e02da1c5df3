package exportzip

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/dargo-support/dargo/store"
)

func TestWrite(t *testing.T) {
	doc := &store.Export{User: store.ExportUser{Email: "ada@example.com"}}
	files := []store.ExportFile{
		{MessageID: 7, Filename: "invoice.pdf", BlobKey: "k1"},
		{MessageID: 7, Filename: "invoice.pdf", BlobKey: "k2"},
		{MessageID: 9, Filename: "../../etc/passwd", BlobKey: "k3"},
	}
	blobs := map[string]string{"k1": "one", "k2": "two", "k3": "three"}
	var buf bytes.Buffer
	err := Write(context.Background(), &buf, doc, files, func(_ context.Context, k string) ([]byte, error) { return []byte(blobs[k]), nil })
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range z.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		got[f.Name] = string(b)
	}
	var back store.Export
	if err := json.Unmarshal([]byte(got["data.json"]), &back); err != nil || back.User.Email != "ada@example.com" {
		t.Errorf("data.json: %v %+v", err, back)
	}
	for name, want := range map[string]string{"files/7/invoice.pdf": "one", "files/7/invoice.pdf (2)": "two", "files/9/.._.._etc_passwd": "three"} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q (have %v)", name, got[name], want, len(got))
		}
	}
}
