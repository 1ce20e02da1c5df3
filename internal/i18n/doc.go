// Package i18n holds the languages Dargo speaks to customers and the
// catalogs their words come from.
//
// Messages live in Go tables (id → one text per supported language), so a
// missing translation is a test failure (Missing), not a runtime surprise;
// each table is loaded into a golang.org/x/text/message catalog, whose
// printers format the arguments (%[1]s) per language. x/text was chosen
// over go-i18n because it is already a dependency, and its language
// matcher is the one Accept-Language needs anyway: one module, not two.
package i18n
