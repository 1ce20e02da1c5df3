// Package mailtag signs each mail Dargo sends for its one recipient: the
// X-Dargo-Mail header carries the emails row id and an HMAC of that id and
// the recipient's address under the server secret. A delivery report
// returns the failed mail's header, so it proves which mail to whom failed;
// the header stays in the recipient's copy (clients do not copy it into
// replies), so other participants, who see Message-IDs in References, cannot
// forge a report for that recipient.
package mailtag

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Header is the field that carries the tag.
const Header = "X-Dargo-Mail"

// macLen is the number of hex digits kept (96 bits).
const macLen = 24

// Tag signs the emails row id for the recipient's address.
func Tag(secret string, emailID int64, to string) string {
	return strconv.FormatInt(emailID, 10) + "." + mac(secret, emailID, to)
}

// Check returns the emails row id of a tag made for the address to; ok is
// false for a tag made for anyone else, or forged.
func Check(secret, tag, to string) (emailID int64, ok bool) {
	idText, sum, found := strings.Cut(strings.TrimSpace(tag), ".")
	if !found {
		return 0, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	if !hmac.Equal([]byte(strings.ToLower(sum)), []byte(mac(secret, id, to))) {
		return 0, false
	}
	return id, true
}

func mac(secret string, emailID int64, to string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte("dargo-mail:" + strconv.FormatInt(emailID, 10) + ":" + strings.ToLower(strings.TrimSpace(to))))
	return hex.EncodeToString(h.Sum(nil))[:macLen]
}
