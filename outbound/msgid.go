package outbound

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"
)

// MintMessageID returns a new Message-ID (without angle brackets): a
// timestamp and 128 random bits at domain.
func MintMessageID(domain string) string {
	if domain = cleanHeaderText(domain, 200); domain == "" {
		domain = "localhost"
	}
	var b [16]byte
	rand.Read(b[:])
	return strconv.FormatInt(time.Now().UnixMilli(), 36) + "." + hex.EncodeToString(b[:]) + "@" + domain
}
