// Package exportzip writes a person's data export as a ZIP: the JSON
// document (DESIGN.md's contract) as data.json, and their files under
// files/<message id>/<name>.
package exportzip

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// Write writes the ZIP to w, reading each file's bytes with read.
func Write(ctx context.Context, w io.Writer, doc *store.Export, files []store.ExportFile, read func(ctx context.Context, key string) ([]byte, error)) error {
	z := zip.NewWriter(w)
	f, err := z.Create("data.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	seen := map[string]int{}
	for _, file := range files {
		data, err := read(ctx, file.BlobKey)
		if err != nil {
			return fmt.Errorf("exportzip: %s: %w", file.Filename, err)
		}
		name := path.Join("files", strconv.FormatInt(file.MessageID, 10), safeName(file.Filename))
		if n := seen[name]; n > 0 {
			name = fmt.Sprintf("%s (%d)", name, n+1)
		}
		seen[name]++
		fw, err := z.Create(name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return z.Close()
}

// safeName keeps a file name inside its folder of the archive.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}
