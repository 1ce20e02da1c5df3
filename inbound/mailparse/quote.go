package mailparse

import (
	"regexp"
	"strings"
)

// VisibleText strips quoted history from a plain-text reply: everything from
// the first attribution line ("On … wrote:" and its translations, Zoho's
// "---- On … wrote ----"), Outlook header block (with the dash or underscore
// line above it) or "-----Original Message-----" separator on, or else a
// trailing block of ">" lines. Interleaved replies keep their answers and the
// quotes they answer: a quote block followed by the sender's own text stays
// as context, only the trailing quote block (with an attribution right above
// it) goes. A forwarded message (a forward marker before any quote marker)
// stays whole. A signature that ends what is left goes too: a "-- " block or
// a mail client's sign-off ("Sent from my iPhone" and its translations).
// A reply that is nothing but quoted history (">" lines, with perhaps an
// attribution and one sign-off line) has no visible text: "" is returned. Any other
// text that would leave nothing is kept whole. Trailing whitespace is trimmed.
func VisibleText(text string) string {
	text = normalizeNewlines(text)
	lines := strings.Split(text, "\n")
	body := dropSignature(lines)
	cut, forward := findCut(body)
	if forward {
		return tidyLines(lines)
	}
	above := body[:cut]
	if cut < len(body) {
		above = dropSignature(above) // its own signature, above the history
	}
	if vis := tidyLines(above); vis != "" {
		return vis
	}
	if onlyHistory(body, cut) && onlySignOff(lines[len(body):]) {
		return ""
	}
	return tidyLines(lines)
}

// onlySignOff reports whether the lines taken off below the history hold
// nothing but a client's sign-off: a quote-only reply from a phone has no
// new text, but a "-- " block or anything else under the quote is kept, so
// that signature removal never turns real text into an empty visible text.
func onlySignOff(tail []string) bool {
	n := 0
	for _, l := range tail {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n == 0 || (n == 1 && isSignOff(dropBlankTail(tail), len(dropBlankTail(tail))-1))
}

// onlyHistory reports whether the history found at cut is ">" quoting, so
// that a text with nothing above it is a reply without new text rather than
// something else we could not place (a forward without a marker).
func onlyHistory(lines []string, cut int) bool {
	i := nextNonBlank(lines, cut)
	if i == len(lines) {
		return false
	}
	if isQuoted(lines[i]) {
		return true
	}
	if k := attribution(lines, i); k > 0 {
		j := nextNonBlank(lines, i+k)
		return j < len(lines) && isQuoted(lines[j])
	}
	return false
}

func nextNonBlank(lines []string, i int) int {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return i
}

// findCut returns the index of the first line of quoted history, or
// len(lines) when there is none; forward is true when a forward marker comes
// before any history.
func findCut(lines []string) (cut int, forward bool) {
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || line[0] == '>' {
			continue
		}
		if isForwardLine(line) {
			return len(lines), true
		}
		if separatorLine.MatchString(line) || (line[0] == '-' && zohoLine.MatchString(line)) {
			return i, false
		}
		if isRuleLine(line) && nextLabel(lines, i) == "from" {
			return i, false
		}
		if k := attribution(lines, i); k > 0 {
			if interleaved(lines, i+k) {
				i += k - 1 // answers follow: keep it and look further down
				continue
			}
			return i, false
		}
		if isHeaderBlock(lines, i) || (line[0] == 'O' && yahooLine.MatchString(line)) {
			return i, false
		}
	}
	return trailingQuote(lines), false
}

var separatorLine = regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprüngliche nachricht|original-nachricht|originalnachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|origineel bericht|mensagem original|ursprungligt meddelande|originalmeddelande|oprindelig meddelelse|opprinnelig melding|wiadomość oryginalna|元のメッセージ|исходное сообщение|alkuperäinen viesti)\s*-{2,}$`)

// zohoLine is Zoho Mail's attribution between dashes:
// "---- On Mon, 05 Oct 2026 10:00:00 +0200 Anna <a@x.example> wrote ----".
var zohoLine = regexp.MustCompile(`(?i)^-{2,}\s*\S.*\s(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał|pisze|написал)\S*\s*:?\s*-{2,}$`)

// yahooLine is Yahoo Mail for Android's attribution, with the quoted text
// run on after it on the same line:
// "On Mon, Oct 5, 2026 at 9:00, Anna<a@x.example> wrote:   Hello".
var yahooLine = regexp.MustCompile(`^On\b.+<[^\s<>@]+@[^\s<>@]+>\s*wrote:\s`)

// isRuleLine reports whether line is the underscore or dash rule Outlook puts
// above a header block.
func isRuleLine(line string) bool {
	return len(line) >= 20 && (strings.Trim(line, "_") == "" || strings.Trim(line, "-") == "")
}

// nextLabel returns the header label of the next non-blank line within two.
func nextLabel(lines []string, i int) string {
	for j := i + 1; j < len(lines) && j <= i+3; j++ {
		if strings.TrimSpace(lines[j]) != "" {
			return headerLabel(lines[j])
		}
	}
	return ""
}

// attributionLine matches a (joined) attribution line ending in a colon, in
// the forms of the clients and languages we know. One regexp with
// alternatives costs one pass per candidate line.
var attributionLine = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`^on\b.+\bwrote\s*:$`,
	`^am\b.+\bschrieb\b.*:$`,
	`^le\b.+\ba écrit\s*:$`,
	`^el\b.+\bescribió\s*:$`,
	`^il\b.+\bha scritto\s*:$`,
	`^op\b.+\bschreef\b.*:$`,
	`^em\b.+\bescreveu\s*:$`,
	`^(den|på)\b.+\bskrev\b.*:$`,
	`^(w dniu|dnia)\b.+\b(napisał(a|\(a\))?|pisze)\s*:$`,
	`^wiadomość napisana przez\b.+:$`,
	`(wrote|schrieb|a écrit|escribió|ha scritto|schreef|geschreven|escreveu|skrev|napisał|pisze|написал|писал)\S*\s*:$`,
	`(のメッセージ|さんは書きました|書きました|写道)\s*[:：]$`,
	`^\d{4}年\d{1,2}月\d{1,2}日.*[:：]$`,
	`@[^\s<>@]+>\s*[:：]$`,
}, "|"))

var nbspReplacer = strings.NewReplacer("\u00a0", " ", "\u202f", " ")

// attribution returns how many lines (1 to 3) starting at i form an
// attribution line, or 0.
func attribution(lines []string, i int) int {
	// Find the line ending in a colon first: joining lines for every line of
	// a long text would allocate for nothing.
	end := -1
	for k := 0; k < 3 && i+k < len(lines) && end < 0; k++ {
		line := strings.TrimSpace(lines[i+k])
		if line == "" || line[0] == '>' {
			return 0
		}
		if strings.HasSuffix(line, ":") || strings.HasSuffix(line, "：") {
			end = k
		}
	}
	if end < 0 {
		return 0
	}
	var joined strings.Builder
	for k := 0; k <= end; k++ {
		if k > 0 {
			joined.WriteByte(' ')
		}
		joined.WriteString(strings.TrimSpace(lines[i+k]))
		if joined.Len() > 400 {
			return 0
		}
	}
	if attributionLine.MatchString(nbspReplacer.Replace(joined.String())) {
		return end + 1
	}
	return 0
}

// interleaved reports whether the quote after an attribution has replies
// between its quoted lines, in which case it is kept.
func interleaved(lines []string, from int) bool {
	j := from
	for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
		j++
	}
	if j == len(lines) || !isQuoted(lines[j]) {
		return false
	}
	for ; j < len(lines); j++ {
		if line := strings.TrimSpace(lines[j]); line != "" && line[0] != '>' {
			return true
		}
	}
	return false
}

func isQuoted(line string) bool {
	line = strings.TrimLeft(line, " \t")
	return line != "" && line[0] == '>'
}

// isHeaderBlock reports whether an Outlook-style header block (From, then
// Sent or Date, and To or Subject, in some language) starts at line i.
func isHeaderBlock(lines []string, i int) bool {
	if headerLabel(lines[i]) != "from" {
		return false
	}
	sent, to := false, false
	for j := i + 1; j < len(lines) && j <= i+8; j++ {
		switch headerLabel(lines[j]) {
		case "sent":
			sent = true
		case "to", "subject":
			to = true
		}
		if sent && to {
			return true
		}
	}
	return false
}

var headerLabels = map[string]string{}

func init() {
	for class, words := range map[string][]string{
		"from":    {"from", "von", "de", "da", "van", "från", "fra", "od", "lähettäjä", "feladó", "差出人", "发件人", "寄件者", "от", "absender", "afzender"},
		"sent":    {"sent", "date", "gesendet", "datum", "envoyé", "envoyé le", "enviado", "enviado el", "enviada", "enviada em", "enviado em", "fecha", "inviato", "data", "verzonden", "verzonden op", "skickat", "sendt", "wysłano", "送信日時", "日付", "发送时间", "發送時間", "отправлено", "дата", "lähetetty"},
		"to":      {"to", "an", "à", "a", "para", "aan", "till", "til", "do", "宛先", "收件人", "кому", "vastaanottaja"},
		"subject": {"subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "assunto", "ämne", "emne", "temat", "件名", "主题", "主旨", "тема", "aihe"},
	} {
		for _, w := range words {
			headerLabels[w] = class
		}
	}
}

// headerLabel returns "from", "sent", "to" or "subject" when line starts with
// such a header label (optionally bold, "*From:*"), else "".
func headerLabel(line string) string {
	line = strings.TrimLeft(line, " \t*")
	end := strings.IndexByte(line, ':')
	if j := strings.Index(line, "："); j >= 0 && (end < 0 || j < end) {
		end = j
	}
	if end <= 0 || end > 40 {
		return ""
	}
	label := strings.Trim(line[:end], " \t*\u00a0")
	return headerLabels[strings.ToLower(label)]
}

// trailingQuote returns where a trailing block of ">" lines (and the
// attribution-like line right above it) starts, or len(lines).
func trailingQuote(lines []string) int {
	j := len(lines) - 1
	for j >= 0 && strings.TrimSpace(lines[j]) == "" {
		j--
	}
	if j < 0 || !isQuoted(lines[j]) {
		return len(lines)
	}
	start := j
	for ; j >= 0; j-- {
		line := strings.TrimSpace(lines[j])
		if line == "" {
			continue
		}
		if line[0] != '>' {
			break
		}
		start = j
	}
	if j >= 0 && looseAttribution(strings.TrimSpace(lines[j])) {
		return j
	}
	return start
}

// looseAttribution is the line above a trailing quote when it ends in a colon
// and names an address or a year.
func looseAttribution(line string) bool {
	if !strings.HasSuffix(line, ":") && !strings.HasSuffix(line, "：") {
		return false
	}
	return strings.Contains(line, "@") || yearPattern.MatchString(line)
}

var yearPattern = regexp.MustCompile(`\b(19|20)\d\d\b`)

// forwardLines are forward markers, lower-cased, without dashes and colons.
var forwardLines = map[string]bool{
	"forwarded message": true, "begin forwarded message": true, "forwarded message follows": true,
	"forwarded email": true, "forwarded e-mail": true,
	"weitergeleitete nachricht": true, "anfang der weitergeleiteten nachricht": true,
	"message transféré": true, "début du message réexpédié": true, "début du message transféré": true,
	"mensaje reenviado": true, "inicio del mensaje reenviado": true, "comienzo del mensaje reenviado": true,
	"messaggio inoltrato": true, "inizio messaggio inoltrato": true,
	"doorgestuurd bericht": true, "begin doorgestuurd bericht": true,
	"mensagem encaminhada": true, "início da mensagem reencaminhada": true, "início da mensagem encaminhada": true, "mensagem reencaminhada": true,
	"vidarebefordrat meddelande": true, "videresendt meddelelse": true, "videresendt melding": true, "videresendt besked": true,
	"wiadomość przekazana": true, "przekazana wiadomość": true,
	"転送されたメッセージ": true, "転送メッセージ": true, "пересылаемое сообщение": true,
}

// isForwardLine reports whether line announces a forwarded message.
func isForwardLine(line string) bool {
	line = strings.TrimSpace(line)
	if len(line) < 8 || len(line) > 80 {
		return false
	}
	s := strings.ToLower(strings.Trim(line, "-—–_=* :：\u00a0"))
	return forwardLines[s]
}

var forwardSubject = regexp.MustCompile(`(?i)^\s*(fwd?|wg|tr|rv|enc|doorst|vb|pd|i|転送)\s*(\[\d+\])?\s*[:：]`)

// isForwardSubject reports whether a subject marks a forward (Fwd:, WG:, TR:…).
func isForwardSubject(s string) bool {
	return forwardSubject.MatchString(s)
}

// tidy trims trailing whitespace from every line and blank lines around the text.
func tidy(s string) string {
	return tidyLines(strings.Split(normalizeNewlines(s), "\n"))
}

func tidyLines(lines []string) string {
	var b strings.Builder
	n := 0
	for _, l := range lines {
		n += len(l) + 1
	}
	b.Grow(n)
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight(l, " \t\r\u00a0"))
	}
	return strings.TrimSpace(b.String())
}
