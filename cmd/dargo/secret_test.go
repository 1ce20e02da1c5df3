package main

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckSecret(t *testing.T) {
	for _, tc := range []struct {
		name, secret string
		ok           bool
	}{
		{"unset", "", false},
		{"the dev key", devSecret, false},
		{"the dev key inside another", "x" + devSecret + "y", false},
		{"the old accepted sixteen a's", "aaaaaaaaaaaaaaaa", false},
		{"the old tests' secret", "e2e-secret-0123456789", false},
		{"one character, long", strings.Repeat("a", 64), false},
		{"two characters, long", strings.Repeat("ab", 40), false},
		{"a short string again and again", strings.Repeat("q8Zr2xLpM3kT", 4), false},
		{"an alphabet walk", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", false},
		{"a countdown", "zyxwvutsrqponmlkjihgfedcba9876543210", false},
		{"hex of 16 bytes", "3f9a1c7e5b2d4068a1e9c3f57b0d2e46", false},
		{"hex of 31 bytes", "9c1e5f7a3b0d42e8a6c4f1b9d7e3a5c20f8b6d4e2a1c9f7b5d3e1a0c8f6b4d", false},
		{"a word typed over", "passwordpasswordpasswordpassword", false},
		{"openssl rand -base64 32", "m7CbG/NmfrTwgxu+DWyDvQNtGjzw8BOLVk4bvNWaZHE=", true},
		{"openssl rand -hex 32", "9c1e5f7a3b0d42e8a6c4f1b9d7e3a5c20f8b6d4e2a1c9f7b5d3e1a0c8f6b4d2e", true},
		{"base64url without padding", "Yk3_pQ-9sLr2TzXw8NvB1cHd6Fg0Js4Ma5Ue7Ro9Ik2", true},
		{"32 random letters and digits", "t8h89llgwLnSiAKgFgIgn7PFc8PFhFgt", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkSecret(tc.secret)
			if (err == nil) != tc.ok {
				t.Fatalf("checkSecret(%q) = %v, want ok %v", tc.secret, err, tc.ok)
			}
			if err != nil && (!strings.Contains(err.Error(), "DARGO_SECRET") || !strings.Contains(err.Error(), "openssl rand -base64 32") || !strings.Contains(err.Error(), "dargo secret")) {
				t.Errorf("the refusal does not say how to make one: %v", err)
			}
		})
	}
}

// TestRandomSecretsPass: what the documented generators print always
// passes. The bytes come from a seeded generator, so a failure repeats.
func TestRandomSecretsPass(t *testing.T) {
	r := rand.New(rand.NewChaCha8([32]byte{'d', 'a', 'r', 'g', 'o'}))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for i := 0; i < 5000; i++ {
		b := make([]byte, 32)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		a := make([]byte, 32)
		for j := range a {
			a[j] = alnum[r.IntN(len(alnum))]
		}
		for _, s := range []string{base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), hex.EncodeToString(b), string(a)} {
			if err := checkSecret(s); err != nil {
				t.Fatalf("%q: %v", s, err)
			}
		}
	}
	for i := 0; i < 100; i++ {
		s, err := newSecret()
		if err != nil {
			t.Fatal(err)
		}
		if err := checkSecret(s); err != nil {
			t.Fatalf("dargo secret made %q: %v", s, err)
		}
	}
}

// TestCommandsRefuseAWeakSecret runs every command that touches data or
// keys with a missing, weak and public secret: each stops before it opens
// the database (the SQLite file is never made) and says how to make a
// secret. With a good secret each gets past that check to its own work.
func TestCommandsRefuseAWeakSecret(t *testing.T) {
	good := []struct {
		args []string
		code int
		out  string // in stdout and stderr together: proof it did its own work
	}{
		{[]string{"web"}, 1, "DARGO_REDIS_URL must be set"},
		{[]string{"worker"}, 1, "DARGO_REDIS_URL is not set"},
		{[]string{"inbound"}, 1, "DARGO_SQS_QUEUE_URL is not set"},
		{[]string{"scheduler"}, 1, "DARGO_REDIS_URL is not set"},
		{[]string{"migrate"}, 0, "applied"},
		{[]string{"ingest", "testdata/new.eml"}, 0, `"action":"created"`},
		{[]string{"export", "--email", "nobody@example.com"}, 1, "no person with address nobody@example.com"},
		{[]string{"erase", "--email", "nobody@example.com"}, 0, "nothing to erase"},
		{[]string{"staff", "list"}, 0, ""},
		{[]string{"broadcast", "--list"}, 0, ""},
		{[]string{"policy", "list"}, 0, "built-in default"},
		{[]string{"seed", "--tickets", "2", "--messages", "2", "--customers", "1", "--big-thread", "1"}, 0, ""},
		{[]string{"quarantine", "list"}, 0, ""},
		{[]string{"suppression", "list"}, 0, ""},
	}
	covered := map[string]bool{}
	for _, g := range good {
		covered[g.args[0]] = true
	}
	for _, c := range commands {
		if !c.noSecret && !covered[c.name] {
			t.Errorf("dargo %s needs a secret but is not in this test", c.name)
		}
	}
	for _, g := range good {
		t.Run(g.args[0], func(t *testing.T) {
			for _, bad := range []struct{ name, secret string }{
				{"missing", ""},
				{"short", "aaaaaaaaaaaaaaaa"},
				{"long but one letter", strings.Repeat("a", 48)},
				{"a walk", "abcdefghijklmnopqrstuvwxyz0123456789"},
				{"the dev key", devSecret},
			} {
				dbFile := filepath.Join(t.TempDir(), "d.db")
				env := []string{"DARGO_DATABASE_URL=sqlite:" + dbFile, "DARGO_SECRET=" + bad.secret, "DARGO_REDIS_URL=", "DARGO_SQS_QUEUE_URL="}
				out, errOut, code := dargo(t, env, []byte("From: eve@example.org\nSubject: hi\n\nhi\n"), g.args...)
				if code != 2 || out != "" || !strings.Contains(errOut, "DARGO_SECRET") || !strings.Contains(errOut, "openssl rand -base64 32") {
					t.Errorf("%s secret: exit %d, stdout %q, stderr %q", bad.name, code, out, errOut)
				}
				if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
					t.Errorf("%s secret: the database was opened (%v)", bad.name, err)
				}
			}
			env := []string{"DARGO_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "d.db"), "DARGO_SECRET=" + testSecret,
				"DARGO_MAIL_DOMAIN=help.example.com", "DARGO_REDIS_URL=", "DARGO_SQS_QUEUE_URL="}
			if g.args[0] != "migrate" && g.args[0] != "seed" {
				if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
					t.Fatalf("migrate: %s", errOut)
				}
			}
			out, errOut, code := dargo(t, env, nil, g.args...)
			if code != g.code || strings.Contains(errOut, "DARGO_SECRET") || !strings.Contains(out+errOut, g.out) {
				t.Errorf("good secret: exit %d, stdout %q, stderr %q; want exit %d with %q", code, out, errOut, g.code, g.out)
			}
		})
	}
}

// TestCommandsWithoutASecret: dargo secret, help and doctor need none.
func TestCommandsWithoutASecret(t *testing.T) {
	env := []string{"DARGO_SECRET="}
	out, errOut, code := dargo(t, env, nil, "secret")
	if code != 0 || checkSecret(strings.TrimSpace(out)) != nil {
		t.Errorf("dargo secret: exit %d, %q, %s", code, out, errOut)
	}
	if out2, _, _ := dargo(t, env, nil, "secret"); out2 == out {
		t.Errorf("dargo secret printed %q twice", out)
	}
	if out, errOut, code := dargo(t, env, nil, "help"); code != 0 || !strings.Contains(out, "dargo doctor") {
		t.Errorf("dargo help: exit %d, %s", code, errOut)
	}
	if out, _, code := dargo(t, env, nil, "doctor"); code != 1 || !strings.Contains(out, "BLOCKER DARGO_SECRET: DARGO_SECRET is not set") {
		t.Errorf("dargo doctor: exit %d, %s", code, out)
	}
}
