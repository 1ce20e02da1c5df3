package inbound

import (
	"regexp"
	"strings"
)

// textBounceSigns are sentences mail systems write in delivery failure
// reports that carry no message/delivery-status part: qmail, Apache James,
// Exim, Postfix, sendmail, DragonFly, Gmail, old Exchange, Courier.
var textBounceSigns = []string{
	"this is the qmail-send program",
	"i'm afraid i wasn't able to deliver your message",
	"this is the james mail server",
	"error message below:",
	"this message was created automatically by mail delivery software",
	"i'm sorry to have to inform you that your message could not",
	"the following addresses had permanent fatal errors",
	"there was an error delivering your mail to",
	"delivery to the following recipient failed permanently",
	"delivery to the following recipients failed",
	"your message did not reach some or all of the intended recipients",
	"delivery has failed to these recipients",
	"running the courier mail server",
	"could not be delivered to one or more recipients",
	"has not yet been delivered to one or more of its",
}

// textBounceCopies are the lines after which a report quotes the returned
// mail (or its headers): no failed recipient is read past them.
var textBounceCopies = []string{
	"--- below this line is a copy of the message",
	"------ this is a copy of the message",
	"message headers follow",
	"original message headers",
	"----- original message -----",
	"------ original message ------",
	"----- transcript of session follows -----",
	"--- enclosed are the original headers",
}

// textBounceTransient are the sentences of a delay warning.
var textBounceTransient = []string{
	"has not yet been delivered", "delivery attempts will continue", "still being retried",
	"will not try to deliver", "temporary failure", "this is a temporary error",
}

var (
	angleRcpt = regexp.MustCompile(`^\s*<([^<>\s@]+@[^<>\s]+)>:?`)                                  // qmail, Postfix, sendmail
	bareRcpt  = regexp.MustCompile(`^\s*([^<>\s@:"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\s*(?:on\s.*)?$`) // Exim, Gmail, Exchange
	rcptTo    = regexp.MustCompile(`(?i)^\s*RCPT TO:\s*<?([^<>\s@]+@[^<>\s]+?)>?\s*$`)              // James "Message details"
	// textStatus is an RFC 3463 code standing alone, not part of an IP address.
	textStatus = regexp.MustCompile(`(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?:[^\d.]|$)`)
	errorTo    = regexp.MustCompile(`(?i)error delivering your mail to <([^<>\s@]+@[^<>\s]+)>`) // DragonFly
)

// textBounce reads the failed recipients of a delivery failure report
// written as plain text, or returns nil when the text is no report it
// knows. Call it only for mail from a mail system (daemonSender, a null
// sender): a person can quote these sentences.
func textBounce(text string) *Report {
	lower := strings.ToLower(text)
	known := false
	for _, s := range textBounceSigns {
		if strings.Contains(lower, s) {
			known = true
			break
		}
	}
	if !known {
		return nil
	}
	head, _ := cutReturnedCopy(text)
	action, status := "failed", ""
	for _, s := range textBounceTransient {
		if strings.Contains(strings.ToLower(head), s) {
			action = "delayed"
		}
	}
	if sub := textStatus.FindStringSubmatch(head); sub != nil {
		status = sub[1]
	}
	if status == "" && action == "failed" {
		status = "5.0.0"
	}
	if status != "" && status[0] == '4' {
		action = "delayed"
	}
	var rep Report
	seen := map[string]bool{}
	for _, line := range strings.Split(head, "\n") {
		var addr string
		for _, re := range []*regexp.Regexp{angleRcpt, rcptTo, errorTo, bareRcpt} {
			if sub := re.FindStringSubmatch(line); sub != nil {
				addr = strings.ToLower(strings.TrimRight(sub[1], ".,;"))
				break
			}
		}
		if addr == "" || seen[addr] || strings.HasPrefix(addr, "postmaster@") {
			continue
		}
		seen[addr] = true
		rep.Recipients = append(rep.Recipients, ReportRecipient{FinalRecipient: addr, Action: action, Status: status})
	}
	return &rep
}

// cutReturnedCopy splits a text report at the line where it starts
// quoting the returned mail.
func cutReturnedCopy(text string) (report, copied string) {
	lower := strings.ToLower(text)
	cut := -1
	for _, s := range textBounceCopies {
		if i := strings.Index(lower, s); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut < 0 {
		return text, ""
	}
	return text[:cut], text[cut:]
}

// inlineReturned are the Message-IDs and X-Dargo-Mail tags of a mail a
// text report quotes after its copy line.
func inlineReturned(text string) (ids, tags []string) {
	_, copied := cutReturnedCopy(text)
	for _, line := range strings.Split(copied, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "message-id":
			if id := strings.Trim(strings.TrimSpace(v), "<>"); id != "" && len(ids) < maxReturnedTags {
				ids = append(ids, id)
			}
		case "x-dargo-mail":
			if tag := strings.TrimSpace(v); tag != "" && len(tags) < maxReturnedTags {
				tags = append(tags, tag)
			}
		}
	}
	return ids, tags
}
