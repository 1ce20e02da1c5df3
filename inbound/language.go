package inbound

import (
	"strings"
	"unicode"

	"github.com/dargo-support/dargo/internal/i18n"
)

// Language tells the language a customer wrote in, for their first mail:
// the first tag of its Content-Language field when that is supported,
// else a guess from the words of text, else "". Pure: no store, no I/O.
func Language(contentLanguage, text string) string {
	if l := i18n.FromContentLanguage(contentLanguage); l != "" {
		return l
	}
	return DetectLanguage(text)
}

// stopwords are frequent short words of each language, chosen to differ:
// "de" is Spanish and French, so it counts for neither.
var stopwords = map[string][]string{
	i18n.English: {"the", "and", "is", "you", "to", "of", "it", "my", "have", "not", "this", "that", "with", "for", "please", "thanks", "hello", "can", "was", "are", "i", "we", "your", "but", "what", "when"},
	i18n.German:  {"der", "die", "das", "und", "ist", "nicht", "ich", "sie", "mit", "ein", "eine", "zu", "auf", "für", "bitte", "danke", "hallo", "habe", "mein", "meine", "wir", "es", "auch", "wie", "kann", "noch", "aber", "mir", "ihr", "sehr"},
	i18n.French:  {"le", "la", "les", "et", "est", "je", "vous", "pas", "une", "un", "pour", "que", "avec", "mon", "ma", "mes", "bonjour", "merci", "sur", "ne", "il", "nous", "du", "au", "ce", "qui", "mais", "votre", "ai", "suis"},
	i18n.Spanish: {"el", "los", "las", "y", "es", "que", "por", "con", "una", "un", "para", "mi", "hola", "gracias", "no", "se", "lo", "su", "como", "pero", "muy", "tengo", "está", "del", "al", "favor", "mis", "usted", "yo", "cuando"},
}

var wordLang = func() map[string]string {
	seen := map[string]string{}
	shared := map[string]bool{}
	for lang, words := range stopwords {
		for _, w := range words {
			if other, ok := seen[w]; ok && other != lang {
				shared[w] = true
			}
			seen[w] = lang
		}
	}
	for w := range shared {
		delete(seen, w) // a word of two languages tells neither
	}
	return seen
}()

// maxDetectRunes bounds the text read: the first few hundred words tell.
const maxDetectRunes = 4000

// DetectLanguage guesses en, de, fr or es from stopwords: the language
// with most hits wins when it has at least two and more than any other;
// "" when the text does not say.
func DetectLanguage(text string) string {
	if len(text) > maxDetectRunes*4 {
		text = text[:maxDetectRunes*4]
	}
	hits := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if lang, ok := wordLang[w]; ok {
			hits[lang]++
		}
	}
	best, top, second := "", 0, 0
	for _, lang := range i18n.Supported {
		switch n := hits[lang]; {
		case n > top:
			best, top, second = lang, n, top
		case n > second:
			second = n
		}
	}
	if top < 2 || top == second {
		return ""
	}
	return best
}
