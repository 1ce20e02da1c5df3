package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets maps a file's name to its path with a content hash, which lets
// browsers cache it for good: a changed file gets a new URL.
var assets, assetFiles = hashAssets()

func hashAssets() (map[string]string, map[string]string) {
	paths, files := map[string]string{}, map[string]string{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		dot := strings.LastIndexByte(e.Name(), '.')
		hashed := e.Name()[:dot] + "." + hex.EncodeToString(sum[:6]) + e.Name()[dot:]
		paths[e.Name()] = "/static/" + hashed
		files[hashed] = e.Name()
	}
	return paths, files
}

// assetPath is the template function "asset".
func assetPath(name string) string {
	p, ok := assets[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return p
}

// staticHandler serves the embedded files under their hashed names.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := assetFiles[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}
