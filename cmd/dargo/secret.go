package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"strings"
)

// devSecret is the fixed key dargo dev uses when DARGO_SECRET is unset. It
// is public (it is in this file), so every other command refuses it.
const devSecret = "dargo-dev-secret-do-not-use-in-production" // #nosec G101 -- public on purpose, refused outside dargo dev

// Secret rules: DARGO_SECRET keys reply addresses and seals magic links, so
// anyone who knows or guesses it can write into any ticket.
const (
	minSecretBytes = 32  // at least this long
	minSecretBits  = 128 // estimated entropy: length × Shannon bits per character
	minCharBits    = 3.0 // Shannon bits per character: hex of random bytes has ~3.8
)

// makeSecretHint says how to make a good secret.
const makeSecretHint = "make one with `dargo secret`, `openssl rand -base64 32` or `head -c 32 /dev/urandom | base64`"

// checkSecret says why s is not fit to key a production desk, or nil. It
// cannot see how a string was made, so it refuses what does not look
// random: shorter than 32 bytes, the dev key, hex digits only but fewer
// than 64 of them (hex carries 4 bits a character), fewer than 3 Shannon bits per
// character or 128 bits in all (estimated from the string's own character
// frequencies, see shannonBits), a repeated pattern (distinct three-character runs fewer than
// three quarters of all), or a walk (half the neighbours or more equal or
// one apart, as in "abcd" or "4321"). Base64 or hex of 32 random bytes
// passes by a wide margin; a sentence of words can pass and is still a weak
// key: use a generator.
func checkSecret(s string) error { return checkRandom("DARGO_SECRET", s) }

// checkRandom is checkSecret's rule for the variable called name.
func checkRandom(name, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is not set: %s", name, makeSecretHint)
	case strings.Contains(strings.ToLower(s), devSecret):
		return fmt.Errorf("%s is the public development key: %s", name, makeSecretHint)
	case len(s) < minSecretBytes:
		return fmt.Errorf("%s is too short (%d bytes, want at least %d random bytes): %s", name, len(s), minSecretBytes, makeSecretHint)
	}
	if len(s) < 2*minSecretBytes && strings.Trim(s, "0123456789abcdefABCDEF") == "" {
		return fmt.Errorf("%s is hex of fewer than %d bytes (%d digits, want %d): %s", name, minSecretBytes, len(s), 2*minSecretBytes, makeSecretHint)
	}
	perChar := shannonBits(s)
	if perChar < minCharBits || perChar*float64(len(s)) < minSecretBits {
		return fmt.Errorf("%s does not look random (about %.0f bits, want %d): %s", name, perChar*float64(len(s)), minSecretBits, makeSecretHint)
	}
	if repeats(s) || walks(s) {
		return fmt.Errorf("%s does not look random (a repeated pattern or a run such as abcd): %s", name, makeSecretHint)
	}
	return nil
}

// shannonBits estimates the Shannon entropy of s's bytes, in bits per byte:
// the entropy of their frequencies in s, plus Miller and Madow's correction
// (distinct−1)/(2·len·ln 2) for a sample this short, which would otherwise
// count 32 random letters and digits as less than they are.
func shannonBits(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	bits, distinct := 0.0, 0
	for _, n := range counts {
		if n > 0 {
			p := float64(n) / float64(len(s))
			bits -= p * math.Log2(p)
			distinct++
		}
	}
	return bits + float64(distinct-1)/(2*float64(len(s))*math.Ln2)
}

// repeats reports whether fewer than three quarters of s's three-byte runs
// are distinct, as in a short string typed again and again.
func repeats(s string) bool {
	seen := map[string]bool{}
	for i := 0; i+3 <= len(s); i++ {
		seen[s[i:i+3]] = true
	}
	return len(seen)*4 < (len(s)-2)*3
}

// walks reports whether half of s's neighbouring bytes or more are equal or
// one apart ("aaaa", "abcd", "9876").
func walks(s string) bool {
	steps := 0
	for i := 1; i < len(s); i++ {
		if d := int(s[i]) - int(s[i-1]); d >= -1 && d <= 1 {
			steps++
		}
	}
	return steps*2 >= len(s)-1
}

// newSecret is the base64 of 32 random bytes.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// runSecret prints a new secret for DARGO_SECRET (or DARGO_METRICS_TOKEN).
func runSecret(ctx context.Context, env *Env, args []string) error {
	s, err := newSecret()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(env.Stdout, s)
	return err
}
