// Package replyaddr makes and checks the per-ticket reply addresses
// support+<N>-<mac>@<mail domain>, where mac is a short HMAC-SHA256 of the
// ticket number under the server secret, so knowing a ticket number is not
// enough to write into a ticket. Both inbound (routing) and outbound
// (Reply-To) use it.
package replyaddr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// macLen is the number of hex digits kept: 48 bits, lower-case so that
// mail systems that fold the local part's case do not break it.
const macLen = 12

// Addr builds the reply address for a ticket number.
func Addr(secret, local, domain string, number int64) string {
	return local + "+" + strconv.FormatInt(number, 10) + "-" + mac(secret, number) + "@" + domain
}

// Parse returns the ticket number in addr when addr is a reply address for
// domain with a valid mac. ok is false for anything else, forged macs included.
func Parse(secret, domain, addr string) (number int64, ok bool) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || addr[at+1:] != strings.ToLower(domain) {
		return 0, false
	}
	local := addr[:at]
	plus := strings.IndexByte(local, '+')
	if plus < 0 {
		return 0, false
	}
	tag := local[plus+1:]
	dash := strings.IndexByte(tag, '-')
	if dash < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(tag[:dash], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	if !hmac.Equal([]byte(tag[dash+1:]), []byte(mac(secret, n))) {
		return 0, false
	}
	return n, true
}

func mac(secret string, number int64) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte("dargo-reply:" + strconv.FormatInt(number, 10)))
	return hex.EncodeToString(h.Sum(nil))[:macLen]
}

// StaffAddr builds the reply address of a staff notice about ticket number
// for staff member staffID: support+<N>-s<staffID>-<mac>@<domain>, where mac
// signs both numbers, so one staff member's address is no use to another
// and no customer's address passes for it.
func StaffAddr(secret, local, domain string, number, staffID int64) string {
	return staffKind.addr(secret, local, domain, number, staffID)
}

// ParseStaff returns the ticket number and staff id in addr when addr is a
// staff reply address for domain with a valid mac. Number 0 is the
// address of a digest about several tickets, which answers no ticket.
func ParseStaff(secret, domain, addr string) (number, staffID int64, ok bool) {
	return staffKind.parse(secret, domain, addr)
}

// ForwardAddr builds the reply address of a forward of ticket number to a
// third party: support+<N>-f<forwardID>-<mac>@<domain>, where mac signs
// both numbers, so neither a customer's address nor another forward's
// passes for it.
func ForwardAddr(secret, local, domain string, number, forwardID int64) string {
	return forwardKind.addr(secret, local, domain, number, forwardID)
}

// ParseForward returns the ticket number and forward id in addr when addr
// is a forward's reply address for domain with a valid mac.
func ParseForward(secret, domain, addr string) (number, forwardID int64, ok bool) {
	return forwardKind.parse(secret, domain, addr)
}

// signedKind is a reply address that names a ticket and one more id:
// support+<N>-<prefix><id>-<mac>@<domain>, mac signing both under label.
type signedKind struct {
	prefix, label string
	minNumber     int64 // the lowest ticket number the address may name
}

var (
	staffKind   = signedKind{prefix: "s", label: "dargo-staff-reply:", minNumber: 0}
	forwardKind = signedKind{prefix: "f", label: "dargo-forward-reply:", minNumber: 1}
)

func (k signedKind) addr(secret, local, domain string, number, id int64) string {
	return local + "+" + strconv.FormatInt(number, 10) + "-" + k.prefix + strconv.FormatInt(id, 10) + "-" + k.mac(secret, number, id) + "@" + domain
}

func (k signedKind) parse(secret, domain, addr string) (number, id int64, ok bool) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || addr[at+1:] != strings.ToLower(domain) {
		return 0, 0, false
	}
	local := addr[:at]
	plus := strings.IndexByte(local, '+')
	if plus < 0 {
		return 0, 0, false
	}
	parts := strings.Split(local[plus+1:], "-")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], k.prefix) {
		return 0, 0, false
	}
	n, err1 := strconv.ParseInt(parts[0], 10, 64)
	id, err2 := strconv.ParseInt(parts[1][len(k.prefix):], 10, 64)
	if err1 != nil || err2 != nil || n < k.minNumber || id <= 0 {
		return 0, 0, false
	}
	if !hmac.Equal([]byte(parts[2]), []byte(k.mac(secret, n, id))) {
		return 0, 0, false
	}
	return n, id, true
}

func (k signedKind) mac(secret string, number, id int64) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(k.label + strconv.FormatInt(number, 10) + ":" + strconv.FormatInt(id, 10)))
	return hex.EncodeToString(h.Sum(nil))[:macLen]
}
