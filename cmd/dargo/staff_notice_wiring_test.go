package main

import (
	"testing"

	"github.com/dargo-support/dargo/internal/replyaddr"
)

// TestStaffReplyToIsWhatInboundParses: the worker's staff reply address is
// signed with the secret and domain the inbound pipeline checks it with.
func TestStaffReplyToIsWhatInboundParses(t *testing.T) {
	c := &Config{Secret: "wiring-secret-wiring-secret-wiring-secret", MailDomain: "help.example.com"}
	addr := c.staffReplyTo(12, 7)
	if n, id, ok := replyaddr.ParseStaff(c.Secret, c.MailDomain, addr); !ok || n != 12 || id != 7 {
		t.Errorf("ParseStaff(%q) = %d, %d, %v; want 12, 7, true", addr, n, id, ok)
	}
	if _, ok := replyaddr.Parse(c.Secret, c.MailDomain, addr); ok {
		t.Errorf("the staff address %q passes for a customer's", addr)
	}
}
