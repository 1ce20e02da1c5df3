package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestMentionHandles(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"@mia please look", []string{"mia"}},
		{"ask @Mia, then @bob.", []string{"mia", "bob"}},
		{"@mia and @MIA again", []string{"mia"}},
		{"mail bob@example.com about it", nil},
		{"(@zoe) and\n@jean-luc_2", []string{"zoe", "jean-luc_2"}},
		{"@mia.wong: done", []string{"mia.wong"}},
		{"@ nobody, @@, @-x", nil},
		{"", nil},
		{"@José sieht es", []string{"josé"}},
	} {
		if got := store.MentionHandles(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("MentionHandles(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestMentionResolve(t *testing.T) {
	staff := []store.Mentionable{
		{ID: 1, Email: "mia@desk.test", Name: "Mia Wong", Handle: "mia"},
		{ID: 2, Email: "b.stone@desk.test", Name: "Bob Stone", Handle: "b.stone"},
		{ID: 3, Email: "zq@desk.test", DisplayName: "Zoe Q.", Name: "", Handle: "zq"},
		{ID: 4, Email: "sam.a@desk.test", Name: "Sam Able", Handle: "sam.a"},
		{ID: 5, Email: "sam.b@desk.test", Name: "Sam Baker", Handle: "sam.b"},
		{ID: 6, Email: "wong@desk.test", Name: "Wong Kar", Handle: "wong"},
		{ID: 7, Email: "lee@desk.test", Name: "Lee One", Handle: "lee"},
		{ID: 8, Email: "lee@branch.test", Name: "Lee Two", Handle: "lee"},
	}
	for _, tt := range []struct {
		text string
		want []int64
	}{
		{"@mia please look", []int64{1}},
		{"@bob and @b.stone", []int64{2}},    // a unique first name, then the handle: once
		{"@zoe", []int64{3}},                 // the display name's first word
		{"@sam", nil},                        // two Sams: nobody
		{"@sam.b", []int64{5}},               // the handle is unique
		{"@wong", []int64{6}},                // a handle wins over a name's later word
		{"@nobody and bob@example.com", nil}, // unknown handles and addresses
		{"@zq @mia @zoe", []int64{3, 1}},     // in order of first mention, each once
		{"mail mia@desk.test", nil},          // an address is not a mention
		{"@MIA shouting", []int64{1}},        // case does not matter
		{"@mia, @mia: @mia.", []int64{1}},    // punctuation after a handle
		{"see @mia's note", []int64{1}},      // an apostrophe ends it
		{"@b.stone. and more", []int64{2}},   // a sentence's full stop is not the handle's
		{"x@mia", nil},                       // inside a word
		{"@Wong-Kar is not a handle", nil},   // unknown
		{"@lee", nil},                        // two people's handle: nobody for sure
	} {
		var got []int64
		for _, m := range store.ResolveMentions(tt.text, staff) {
			got = append(got, m.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ResolveMentions(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestMentionNote(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		bob := namedStaff(t, db, bobAddr, "Bob Stone")
		zoe := namedStaff(t, db, "zq@desk.test", "")
		if _, err := db.SaveStaffProfile(ctx, zoe.ID, "Zoe Quinn", ""); err != nil {
			t.Fatal(err)
		}
		namedStaff(t, db, "sam.a@desk.test", "Sam Able")
		namedStaff(t, db, "sam.b@desk.test", "Sam Baker")
		got := deliver(t, db, newTicket("Printer on fire"))
		note := func(author int64, text string) int64 {
			t.Helper()
			id, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: author, Note: true, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		first := note(bob.ID, "@mia please look")
		wantTold(t, db, got.TicketID, store.NoticeMention, miaAddr)
		if evs := events(t, db, mia.ID, store.NoticeMention); len(evs) != 1 || evs[0].MessageID == nil || *evs[0].MessageID != first ||
			evs[0].ActorID == nil || *evs[0].ActorID != bob.ID {
			t.Errorf("mention events: %+v", evs)
		}
		// The author is never told of their own mention; unknown handles,
		// addresses and an ambiguous first name tell nobody.
		note(bob.ID, "@bob reminder to self; @nobody, bob@example.com, mia@desk.test and @sam")
		note(bob.ID, "no mention at all")
		note(bob.ID, "@nobody knows; ask bob@example.com")
		wantTold(t, db, got.TicketID, store.NoticeMention, miaAddr)
		if n := len(events(t, db, mia.ID, store.NoticeMention)); n != 1 {
			t.Errorf("mia told of %d mentions, want 1", n)
		}
		// A unique first name (here a display name) resolves.
		note(mia.ID, "@Zoe can you check?")
		wantTold(t, db, got.TicketID, store.NoticeMention, miaAddr, "zq@desk.test")
		// A reply to the customer tells nobody even when it names staff.
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: mia.ID, Text: "@bob will call you"}); err != nil {
			t.Fatal(err)
		}
		if n := len(events(t, db, bob.ID, store.NoticeMention)); n != 0 {
			t.Errorf("bob told of %d mentions, want 0", n)
		}
		ms, err := db.Mentionables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var handles []string
		for _, m := range ms {
			handles = append(handles, m.Handle+"="+m.Label())
		}
		want := []string{"bob=Bob Stone", "mia=Mia Wong", "sam.a=Sam Able", "sam.b=Sam Baker", "zq=Zoe Quinn"}
		if !slices.Equal(handles, want) {
			t.Errorf("mentionables: %q, want %q", handles, want)
		}
	})
}
