package inbound

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/store"
)

// Commands are what the first lines of a staff member's answer by mail ask
// for, one command a line, in any case:
//
//	#note                           an internal note, never mailed to the customer
//	#resolve, #pending              the ticket's new status
//	#assign me, #assign @name       the new assignee
//	#priority low|normal|high|urgent
type Commands struct {
	Note     bool
	Status   string // "resolved" or "pending"; "" leaves it as it is
	Priority string // "" leaves it as it is
	Assign   string // "me", or a staff handle without its @; "" leaves it
	// Written are the command lines as the staff member wrote them, for
	// the audit log.
	Written []string
	canon   []string
}

// List names the commands in their plain form ("#resolve", "#assign @bob").
func (c Commands) List() []string { return c.canon }

// CommandError is an unknown or malformed command: the answer is held and
// nothing is sent. Reason says so in words for the staff member.
type CommandError struct{ Reason string }

func (e *CommandError) Error() string { return e.Reason }

// ParseCommands reads the commands at the top of an answer's visible text:
// the leading lines that start with '#' and a letter, with blank lines
// allowed between them. It returns them and the text that follows. A line
// such as "#123 is the old ticket" is text and ends the commands. An
// unknown or malformed command is a *CommandError; the text returned still
// lacks the command lines.
func ParseCommands(text string) (Commands, string, error) {
	var c Commands
	lines := strings.Split(mailparse.NormalizeNewlines(text), "\n")
	i := 0
	var first error
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			continue
		}
		if !isCommandLine(line) {
			break
		}
		c.Written = append(c.Written, line)
		if err := c.add(line); err != nil && first == nil {
			first = err
		}
	}
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	rest := strings.Join(lines[i:], "\n")
	if len(c.Written) == 0 {
		rest = text // untouched: no command was taken out
	}
	return c, rest, first
}

// isCommandLine: '#' and then a letter.
func isCommandLine(line string) bool {
	if !strings.HasPrefix(line, "#") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(line[1:])
	return unicode.IsLetter(r)
}

// add reads one command line into c.
func (c *Commands) add(line string) error {
	fields := strings.Fields(line)
	name, args := strings.ToLower(fields[0]), fields[1:]
	malformed := func(want string) error {
		return &CommandError{fmt.Sprintf("malformed command %q (write %s): nothing was sent", line, want)}
	}
	var canon string
	switch name {
	case "#note":
		if len(args) > 0 {
			return malformed("#note alone on its line")
		}
		c.Note, canon = true, name
	case "#resolve", "#pending":
		if len(args) > 0 {
			return malformed(name + " alone on its line")
		}
		status := map[string]string{"#resolve": store.StatusResolved, "#pending": store.StatusPending}[name]
		if c.Status != "" && c.Status != status {
			return &CommandError{fmt.Sprintf("%s contradicts an earlier status command: nothing was sent", name)}
		}
		c.Status, canon = status, name
	case "#assign":
		want := "#assign me or #assign @name"
		if len(args) != 1 {
			return malformed(want)
		}
		who := strings.ToLower(args[0])
		switch {
		case who == "me":
		case len(who) > 1 && who[0] == '@':
			who = who[1:]
		default:
			return malformed(want)
		}
		if c.Assign != "" && c.Assign != who {
			return &CommandError{"#assign names two people: nothing was sent"}
		}
		c.Assign, canon = who, "#assign me"
		if who != "me" {
			canon = "#assign @" + who
		}
	case "#priority":
		want := "#priority " + strings.Join(store.Priorities, ", ")
		if len(args) != 1 || !slices.Contains(store.Priorities, strings.ToLower(args[0])) {
			return malformed(want)
		}
		p := strings.ToLower(args[0])
		if c.Priority != "" && c.Priority != p {
			return &CommandError{"#priority given twice with different values: nothing was sent"}
		}
		c.Priority, canon = p, "#priority "+p
	default:
		return &CommandError{fmt.Sprintf("unknown command %s: nothing was sent", fields[0])}
	}
	if !slices.Contains(c.canon, canon) {
		c.canon = append(c.canon, canon)
	}
	return nil
}
