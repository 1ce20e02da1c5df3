package web

import (
	"html/template"
	"regexp"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// mentionRE finds @handles as store.MentionHandles does: an @ not inside a
// word (so mail addresses are not mentions), then letters, digits, dots,
// dashes or underscores.
var mentionRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.+-])@([\p{L}\p{N}][\p{L}\p{N}._-]*)`)

// mentionHTML is a note's text, escaped, with each @handle that names a
// staff member (store.ResolveMentions) as a link to the inbox of tickets
// assigned to them: what a colleague reading the note most likely wants
// to see of that person, and a page Dargo has. A mailto: link would send
// staff out of the desk, to an address the note does not show.
func mentionHTML(text string, staff []store.Mentionable) template.HTML {
	var b strings.Builder
	done := 0
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		handle := strings.TrimRight(text[m[2]:m[3]], "._-")
		start, end := m[2]-1, m[2]+len(handle) // from the @ to the handle's end
		who := store.ResolveMentions("@"+handle, staff)
		if len(who) != 1 {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[done:start]))
		b.WriteString(`<a class="mention" href="/inbox?queue=all&amp;assignee=` + itoa(who[0].ID) + `" title="` +
			template.HTMLEscapeString(mentionTitle(who[0])) + `">` + template.HTMLEscapeString(text[start:end]) + `</a>`)
		done = end
	}
	b.WriteString(template.HTMLEscapeString(text[done:]))
	return template.HTML(b.String()) // #nosec G203 -- every piece of text above is escaped; the tags are our own
}

// mentionTitle is what a mention's link says on hover: who it is (display
// name, else name, else address) and where it leads.
func mentionTitle(m store.Mentionable) string {
	who := m.Email
	if m.DisplayName != "" || m.Name != "" {
		who = m.Label()
	}
	return who + " — tickets assigned to them"
}
