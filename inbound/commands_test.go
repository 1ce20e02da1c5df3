package inbound_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/dargo-support/dargo/inbound"
)

func TestCommandsParse(t *testing.T) {
	cases := []struct {
		name string
		text string
		want inbound.Commands
		list []string
		rest string
		err  string
	}{
		{name: "none", text: "Thanks, fixed.", rest: "Thanks, fixed."},
		{name: "resolve", text: "#resolve\n\nThanks, fixed.", want: inbound.Commands{Status: "resolved"},
			list: []string{"#resolve"}, rest: "Thanks, fixed."},
		{name: "mixed case", text: "#Resolve\r\n#PRIORITY High\r\nDone.", want: inbound.Commands{Status: "resolved", Priority: "high"},
			list: []string{"#resolve", "#priority high"}, rest: "Done."},
		{name: "blank lines between", text: "\n#note\n\n#assign me\n\n\nChecked the logs.", want: inbound.Commands{Note: true, Assign: "me"},
			list: []string{"#note", "#assign me"}, rest: "Checked the logs."},
		{name: "pending", text: "  #pending  \nWaiting for you.", want: inbound.Commands{Status: "pending"}, list: []string{"#pending"}, rest: "Waiting for you."},
		{name: "assign by name", text: "#assign @Bob\nBob knows.", want: inbound.Commands{Assign: "bob"}, list: []string{"#assign @bob"}, rest: "Bob knows."},
		{name: "ticket number is text", text: "#123 is the old ticket\n#resolve", rest: "#123 is the old ticket\n#resolve"},
		{name: "a command after text is text", text: "Hello\n#resolve", rest: "Hello\n#resolve"},
		{name: "only commands", text: "#resolve\n", want: inbound.Commands{Status: "resolved"}, list: []string{"#resolve"}, rest: ""},
		{name: "same twice", text: "#resolve\n#Resolve\nok", want: inbound.Commands{Status: "resolved"}, list: []string{"#resolve"}, rest: "ok"},
		{name: "unknown", text: "#frobnicate\nHi", rest: "Hi", err: "unknown command #frobnicate: nothing was sent"},
		{name: "priority without value", text: "#priority\nHi", rest: "Hi",
			err: `malformed command "#priority" (write #priority low, normal, high, urgent): nothing was sent`},
		{name: "priority unknown", text: "#priority soon\nHi", rest: "Hi",
			err: `malformed command "#priority soon" (write #priority low, normal, high, urgent): nothing was sent`},
		{name: "assign nobody in particular", text: "#assign bob\nHi", rest: "Hi",
			err: `malformed command "#assign bob" (write #assign me or #assign @name): nothing was sent`},
		{name: "resolve with words", text: "#resolve please\nHi", rest: "Hi",
			err: `malformed command "#resolve please" (write #resolve alone on its line): nothing was sent`},
		{name: "two statuses", text: "#resolve\n#pending\nHi", rest: "Hi", err: "#pending contradicts an earlier status command: nothing was sent"},
		{name: "hashtag", text: "#thanks for waiting", rest: "", err: "unknown command #thanks: nothing was sent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rest, err := inbound.ParseCommands(c.text)
			if rest != c.rest {
				t.Errorf("rest = %q, want %q", rest, c.rest)
			}
			var ce *inbound.CommandError
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.err != "" && (!errors.As(err, &ce) || ce.Reason != c.err):
				t.Fatalf("error = %v, want %q", err, c.err)
			case c.err != "":
				return
			}
			if got.Note != c.want.Note || got.Status != c.want.Status || got.Priority != c.want.Priority || got.Assign != c.want.Assign {
				t.Errorf("commands = %+v, want %+v", got, c.want)
			}
			if !reflect.DeepEqual(got.List(), c.list) {
				t.Errorf("list = %q, want %q", got.List(), c.list)
			}
		})
	}
}

func ExampleParseCommands() {
	c, rest, err := inbound.ParseCommands("#resolve\n#assign @mia\n\nThe refund is on its way.")
	fmt.Println(c.List(), c.Status, c.Assign, err)
	fmt.Println(rest)
	// Output:
	// [#resolve #assign @mia] resolved mia <nil>
	// The refund is on its way.
}
