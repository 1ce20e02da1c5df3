package web

import (
	"context"
	"encoding/base64"
	"html"
	"net/http"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// Limits on embedding a message's cid: images in its HTML. A reference past
// them, like one to an unknown Content-ID, becomes src="" and shows nothing.
const (
	maxInlineRefs  = 100      // cid: references resolved per message
	maxInlineImage = 5 << 20  // bytes of one image; a larger one is not embedded
	maxInlineBytes = 20 << 20 // bytes of data: URLs written per message
)

// inliner resolves the cid: references of one message's HTML. Files are
// found by Content-ID in a map built once, and each image is read and
// encoded once however often it is referenced.
type inliner struct {
	ctx   context.Context
	read  func(ctx context.Context, key string) ([]byte, error)
	files map[string]store.Attachment // by Content-ID, embeddable images only
	urls  map[string]string           // Content-ID -> data: URL, or "" when unusable
	refs  int                         // references resolved so far
	bytes int                         // bytes of data: URLs written so far
}

func newInliner(ctx context.Context, read func(context.Context, string) ([]byte, error), files []store.Attachment) *inliner {
	in := &inliner{ctx: ctx, read: read, files: make(map[string]store.Attachment), urls: make(map[string]string)}
	for _, f := range files {
		cid := strings.Trim(f.ContentID, "<>")
		if _, seen := in.files[cid]; cid != "" && !seen && inlineTypes[f.ContentType] && f.Size <= maxInlineImage {
			in.files[cid] = f // the first file with a Content-ID wins, as before
		}
	}
	return in
}

// inline returns body with its cid: references (src="cid:…", in any case)
// replaced. It scans once, without a regexp: a page of 30,000 references
// took a regexp 100 ms.
func (in *inliner) inline(body string) string {
	const ref = `src="cid:`
	lower := asciiLower(body)
	var b strings.Builder
	b.Grow(len(body))
	for {
		i := strings.Index(lower, ref)
		if i < 0 {
			break
		}
		start := i + len(ref)
		n := strings.IndexByte(body[start:], '"')
		if n < 0 {
			break
		}
		b.WriteString(body[:i])
		b.WriteString(`src="` + in.resolve(html.UnescapeString(body[start:start+n])) + `"`)
		body, lower = body[start+n+1:], lower[start+n+1:]
	}
	b.WriteString(body)
	return b.String()
}

// resolve returns the data: URL for a reference to cid, or "" once past
// the limits or when there is no such image.
func (in *inliner) resolve(cid string) string {
	if in.refs == maxInlineRefs {
		return ""
	}
	in.refs++
	url := in.url(cid)
	if in.bytes+len(url) > maxInlineBytes {
		return ""
	}
	in.bytes += len(url)
	return url
}

// asciiLower lower-cases ASCII letters only, so offsets stay those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// url returns the data: URL of the image with Content-ID cid, or "".
func (in *inliner) url(cid string) string {
	if u, done := in.urls[cid]; done {
		return u
	}
	u := ""
	if f, ok := in.files[cid]; ok {
		data, err := in.read(in.ctx, f.BlobKey)
		if err == nil && inlineTypes[http.DetectContentType(data)] {
			u = "data:" + f.ContentType + ";base64," + base64.StdEncoding.EncodeToString(data)
		}
	}
	in.urls[cid] = u
	return u
}
