package outbound

import (
	"embed"
	htmltemplate "html/template"
	"strings"
	"text/template"

	"github.com/dargo-support/dargo/store"
)

//go:embed templates
var templateFS embed.FS

// kinds are the mails with templates of their own.
var kinds = []string{store.EmailConfirmation, store.EmailReply, store.EmailStatus, store.EmailMagicLink, store.EmailBroadcast, store.EmailPolicyNotice, store.EmailTooLarge, store.EmailStaffNotice, store.EmailStaffDigest, store.EmailStaffUnrecorded, store.EmailMerged, store.EmailForward, store.EmailAutocloseWarning}

// Parsed once at init, so a broken template fails at boot.
var (
	textTemplates = parseText()
	htmlTemplates = parseHTML()
)

func parseText() map[string]*template.Template {
	funcs := template.FuncMap{"quote": quote, "join": strings.Join}
	layout := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.txt", "templates/rate.txt"))
	out := make(map[string]*template.Template, len(kinds))
	for _, k := range kinds {
		out[k] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+k+".txt"))
	}
	return out
}

func parseHTML() map[string]*htmltemplate.Template {
	funcs := htmltemplate.FuncMap{"paras": paras, "join": strings.Join}
	layout := htmltemplate.Must(htmltemplate.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/rate.html"))
	out := make(map[string]*htmltemplate.Template, len(kinds))
	for _, k := range kinds {
		out[k] = htmltemplate.Must(htmltemplate.Must(layout.Clone()).ParseFS(templateFS, "templates/"+k+".html"))
	}
	return out
}

// quote prefixes every line of s with "> ", as mail clients quote.
func quote(s string) string {
	lines := strings.Split(strings.TrimRight(normalizeNewlines(s), "\n"), "\n")
	for i, l := range lines {
		if l == "" || strings.HasPrefix(l, ">") {
			lines[i] = ">" + l
		} else {
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}

// paras renders plain text as escaped HTML paragraphs: a blank line starts a
// new <p>, a single newline becomes <br>.
func paras(s string) htmltemplate.HTML {
	var b strings.Builder
	for _, p := range strings.Split(strings.TrimSpace(normalizeNewlines(s)), "\n\n") {
		if p = strings.Trim(p, "\n"); p == "" {
			continue
		}
		b.WriteString("<p>")
		for i, l := range strings.Split(p, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(htmltemplate.HTMLEscapeString(l))
		}
		b.WriteString("</p>\n")
	}
	return htmltemplate.HTML(b.String()) // #nosec G203 -- every line was escaped with HTMLEscapeString
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
