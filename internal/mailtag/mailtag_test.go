package mailtag

import "testing"

func TestTagChecksOnlyForItsRecipient(t *testing.T) {
	tag := Tag("s3cret", 42, "Ada@Example.com")
	if id, ok := Check("s3cret", tag, "ada@example.com"); !ok || id != 42 {
		t.Fatalf("Check(own tag) = %d, %v", id, ok)
	}
	for _, tc := range []struct{ secret, tag, to string }{
		{"s3cret", tag, "admin@localhost"},                    // another recipient
		{"other", tag, "ada@example.com"},                     // another secret
		{"s3cret", "43" + tag[2:], "ada@example.com"},         // another mail
		{"s3cret", "42", "ada@example.com"},                   // no mac
		{"s3cret", "x." + tag[3:], "ada@example.com"},         // no id
		{"s3cret", "-1." + tag[3:], "ada@example.com"},        // bad id
		{"s3cret", tag[:len(tag)-1] + "0", "ada@example.com"}, // altered mac
	} {
		if id, ok := Check(tc.secret, tc.tag, tc.to); ok {
			t.Errorf("Check(%q, %q, %q) = %d, true; want false", tc.secret, tc.tag, tc.to, id)
		}
	}
}
