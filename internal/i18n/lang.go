package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// The languages customers are written to in. English is the fallback.
const (
	English = "en"
	German  = "de"
	French  = "fr"
	Spanish = "es"
)

// Supported are the languages, English first.
var Supported = []string{English, German, French, Spanish}

// names are the languages as their speakers name them, for a select.
var names = map[string]string{English: "English", German: "Deutsch", French: "Français", Spanish: "Español"}

// Name returns a supported language's own name ("Deutsch"), "" for others.
func Name(lang string) string { return names[lang] }

var tags = []language.Tag{language.English, language.German, language.French, language.Spanish}

var matcher = language.NewMatcher(tags)

// Normalize returns the supported base language of a BCP 47 tag ("de-CH"
// is "de"), or "" when the tag is malformed or its language unsupported.
func Normalize(tag string) string {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return ""
	}
	base, conf := t.Base()
	if conf == language.No {
		return ""
	}
	if _, ok := names[base.String()]; ok {
		return base.String()
	}
	return ""
}

// FromContentLanguage reads a Content-Language header field: its first
// tag, normalized; "" when that is missing or unsupported.
func FromContentLanguage(field string) string {
	first, _, _ := strings.Cut(field, ",")
	return Normalize(first)
}

// Match picks the supported language an Accept-Language header prefers,
// English when none fits.
func Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return English
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return English
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return English
	}
	return Supported[i]
}

// Or returns lang when it is supported, else English.
func Or(lang string) string {
	if _, ok := names[lang]; ok {
		return lang
	}
	return English
}
