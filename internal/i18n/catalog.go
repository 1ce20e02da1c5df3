package i18n

import (
	"fmt"
	"slices"
	"strconv"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Text is one message in every supported language. Arguments are written
// %[1]s, %[2]s so a language may put them in its own order.
type Text struct{ En, De, Fr, Es string }

func (t Text) in(lang string) string {
	switch lang {
	case German:
		return t.De
	case French:
		return t.Fr
	case Spanish:
		return t.Es
	}
	return t.En
}

// Catalog turns message ids into text in a language.
type Catalog struct {
	printers map[string]*message.Printer
}

// NewCatalog loads msgs into an x/text catalog; it panics on a message the
// catalog refuses, so a broken table fails at boot.
func NewCatalog(msgs map[string]Text) *Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for id, t := range msgs {
		for i, lang := range Supported {
			s := t.in(lang)
			if s == "" {
				s = t.En // Missing reports it; the customer reads English
			}
			if err := b.SetString(tags[i], id, s); err != nil {
				panic(fmt.Sprintf("i18n: message %q (%s): %v", id, lang, err))
			}
		}
	}
	c := &Catalog{printers: make(map[string]*message.Printer, len(Supported))}
	for i, lang := range Supported {
		c.printers[lang] = message.NewPrinter(tags[i], message.Catalog(b))
	}
	return c
}

// T returns message id in lang (English when lang is not supported),
// formatted with args.
func (c *Catalog) T(lang, id string, args ...any) string {
	p, ok := c.printers[lang]
	if !ok {
		p = c.printers[English]
	}
	for i, a := range args {
		switch n := a.(type) {
		case int:
			args[i] = plainInt(n)
		case int64:
			args[i] = plainInt(n)
		case int32:
			args[i] = plainInt(n)
		}
	}
	return p.Sprintf(id, args...)
}

// plainInt prints an integer without the locale's digit grouping: the
// numbers in our mails are ticket numbers and small counts, and "#12.345"
// would not be ticket 12345 to anyone searching for it.
type plainInt int64

func (n plainInt) Format(f fmt.State, _ rune) {
	_, _ = f.Write(strconv.AppendInt(nil, int64(n), 10))
}

// Missing lists "id (lang)" for every message lacking a language, sorted.
func Missing(msgs map[string]Text) []string {
	var out []string
	for id, t := range msgs {
		for _, lang := range Supported {
			if t.in(lang) == "" {
				out = append(out, id+" ("+lang+")")
			}
		}
	}
	slices.Sort(out)
	return out
}
