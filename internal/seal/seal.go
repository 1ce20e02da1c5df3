// Package seal encrypts small secrets that must wait in the database for a
// moment, such as a magic link between the web request that makes it and
// the worker that mails it: AES-256-GCM under a key derived from
// DARGO_SECRET, so the database alone never holds a usable token.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrOpen is returned for a sealed value that is damaged, forged or sealed
// under another secret.
var ErrOpen = errors.New("seal: cannot open")

func aead(secret string) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("dargo seal v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plain under secret; the result is URL-safe text.
func Seal(secret string, plain []byte) (string, error) {
	a, err := aead(secret)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(a.Seal(nonce, nonce, plain, nil)), nil
}

// Open decrypts what Seal made under the same secret.
func Open(secret, sealed string) ([]byte, error) {
	a, err := aead(secret)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < a.NonceSize() {
		return nil, ErrOpen
	}
	plain, err := a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], nil)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
