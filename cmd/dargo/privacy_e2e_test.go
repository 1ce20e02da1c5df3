package main

import (
	"archive/zip"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportZipAndErase walks the privacy contracts through the binary:
// export with a ZIP, erase, export finds nobody, erase again is harmless,
// and a blocked address's next mail opens nothing.
func TestExportZipAndErase(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		env := baseEnv(url)
		if out, errOut, code := dargo(t, env, nil, "ingest", "testdata/new.eml"); code != 0 || !strings.Contains(out, `"created"`) {
			t.Fatalf("ingest: %s %s", out, errOut)
		}
		const addr = "juergen.mueller@example.de"
		zipPath := filepath.Join(t.TempDir(), "data.zip")
		out, errOut, code := dargo(t, env, nil, "export", "--email", addr, "--zip", zipPath)
		if code != 0 || !strings.Contains(out, addr) {
			t.Fatalf("export: %d %s", code, errOut)
		}
		z, err := zip.OpenReader(zipPath)
		if err != nil {
			t.Fatal(err)
		}
		if len(z.File) == 0 || z.File[0].Name != "data.json" {
			t.Errorf("zip holds %v", z.File)
		}
		z.Close()

		out, errOut, code = dargo(t, env, nil, "erase", "--email", addr, "--block")
		if code != 0 || !strings.Contains(out, "erased user") {
			t.Fatalf("erase: %d %s %s", code, out, errOut)
		}
		if _, errOut, code := dargo(t, env, nil, "export", "--email", addr); code == 0 || !strings.Contains(errOut, "no person") {
			t.Errorf("export after erase: %d %s", code, errOut)
		}
		if out, _, code := dargo(t, env, nil, "erase", "--email", addr); code != 0 || !strings.Contains(out, "nothing to erase") {
			t.Errorf("second erase: %d %s", code, out)
		}
		out, _, _ = dargo(t, env, nil, "ingest", "testdata/reply_same_sender.eml")
		if !strings.Contains(out, `"ignored"`) || !strings.Contains(out, "erased") {
			t.Errorf("mail from the blocked address: %s", out)
		}
	})
}
