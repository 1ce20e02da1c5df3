package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// AuditNameStore names the people and tickets an audit page refers to.
type AuditNameStore interface {
	AuditNames(ctx context.Context, userIDs, ticketIDs []int64) (*store.AuditNames, error)
}

var _ AuditNameStore = (*store.DB)(nil)

// auditLine is one entry of the audit page, said as a sentence.
type auditLine struct {
	store.AuditEntry
	Sentence string
}

// auditLines says each entry as a sentence, naming the people and tickets.
func auditLines(ctx context.Context, ns AuditNameStore, entries []store.AuditEntry) ([]auditLine, error) {
	var userIDs, ticketIDs []int64
	details := make([]map[string]any, len(entries))
	for i, e := range entries {
		for _, id := range []*int64{e.ActorID, e.UserID} {
			if id != nil {
				userIDs = append(userIDs, *id)
			}
		}
		if e.TicketID != nil {
			ticketIDs = append(ticketIDs, *e.TicketID)
		}
		json.Unmarshal([]byte(e.Detail), &details[i]) // an unreadable detail says nothing more
		if id, ok := details[i]["assignee"].(float64); ok {
			userIDs = append(userIDs, int64(id))
		}
	}
	names := &store.AuditNames{}
	if ns != nil {
		var err error
		if names, err = ns.AuditNames(ctx, compactIDs(userIDs), compactIDs(ticketIDs)); err != nil {
			return nil, err
		}
	}
	out := make([]auditLine, len(entries))
	for i, e := range entries {
		out[i] = auditLine{AuditEntry: e, Sentence: auditSentence(e, details[i], names)}
	}
	return out, nil
}

func compactIDs(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// auditSentence says what the entry recorded: "Mia changed status open →
// pending on #12". An action it does not know is said by its name.
func auditSentence(e store.AuditEntry, d map[string]any, n *store.AuditNames) string {
	person := func(id *int64) string {
		if id == nil {
			return "someone"
		}
		if u, ok := n.Users[*id]; ok {
			return displayName(&u)
		}
		return fmt.Sprintf("user #%d", *id)
	}
	actor := "Dargo" // the system: a sweep, a bounce, the command line
	if e.ActorID != nil {
		actor = person(e.ActorID)
	}
	user := person(e.UserID)
	self := e.ActorID != nil && e.UserID != nil && *e.ActorID == *e.UserID
	ticket := ""
	if e.TicketID != nil {
		if number, ok := n.Tickets[*e.TicketID]; ok {
			ticket = fmt.Sprintf("#%d", number)
		} else {
			ticket = "a deleted ticket"
		}
	}
	str := func(key string) string {
		switch v := d[key].(type) {
		case string:
			return v
		case float64:
			return fmt.Sprint(v)
		case bool:
			return fmt.Sprint(v)
		}
		return ""
	}
	switch e.Action {
	case store.AuditLogin:
		return actor + " signed in" + either(str("role") != "", " as "+str("role"))
	case store.AuditLogout:
		return actor + " logged out everywhere" + either(str("sessions") != "", " ("+str("sessions")+" sessions ended)")
	case store.AuditExport:
		if e.ActorID == nil {
			return user + "'s data was exported on the command line"
		}
		return actor + " exported " + either(self, "their own data", user+"'s data")
	case store.AuditErase:
		if str("folded_into") != "" {
			return actor + " folded the account " + user + " into their own"
		}
		return actor + " erased " + either(self, "their own data", user+"'s data") +
			either(str("tickets") != "", " ("+str("tickets")+" tickets, "+str("messages")+" messages)")
	case store.AuditErasureAsk:
		return actor + " asked to erase " + either(self, "their data", user+"'s data")
	case store.AuditErasureConfirm:
		return actor + " confirmed erasing their data"
	case store.AuditNameChange:
		return actor + either(self, " changed their name", " corrected the name of "+user)
	case store.AuditEmailChangeAsk:
		return actor + " asked to change their email address"
	case store.AuditEmailChange:
		return actor + " changed their email address"
	case store.AuditEmailUndo:
		return actor + " undid a change of their email address"
	case store.AuditTicketChange:
		return actor + " " + ticketChange(d, person) + " on " + ticket + either(str("why") != "", " "+str("why"))
	case store.AuditTicketSnooze:
		return actor + " snoozed " + ticket + " until " + str("until")
	case store.AuditTicketUnsnooze:
		return actor + " ended the snooze of " + ticket + map[string]string{"time": " (its time came)", "customer": " (the customer wrote)"}[str("by")]
	case store.AuditTicketReply:
		return actor + " replied on " + ticket
	case store.AuditTicketNote:
		return actor + " wrote a note on " + ticket
	case store.AuditTicketUndo:
		st, _ := d["status"].(map[string]any)
		from, _ := st["from"].(string)
		to, _ := st["to"].(string)
		what := either(str("message") != "", "took back a reply", "undid a change")
		return actor + " " + what + " on " + ticket + either(st != nil, " (status "+from+" → "+to+")") + " before its mail went"
	case store.AuditTicketStart:
		return actor + " started " + ticket + " by writing to " + user
	case store.AuditTicketForward:
		return actor + " forwarded a message of " + ticket + " to someone at " + str("to_domain")
	case store.AuditTicketMerge:
		return actor + " merged " + ticket + " into #" + str("into_number") + " (" + str("messages") + " messages moved)"
	case store.AuditMergeUndo:
		return actor + " undid the merge of " + ticket + " into #" + str("into_number")
	case store.AuditTicketSplit:
		return actor + " split a message of " + user + " off #" + str("from_number") + " into #" + str("into_number")
	case store.AuditRoleChange:
		role := str("role")
		what := "made " + user + " " + roleWords[role]
		if role == store.RoleCustomer {
			what = "removed " + user + " from the staff"
		}
		if e.ActorID == nil {
			return user + either(role == store.RoleCustomer, " was removed from the staff", " was made "+roleWords[role]) + " on the command line"
		}
		return actor + " " + what
	case store.AuditSuppress:
		return "Mail to " + user + " was suppressed" + either(str("source") != "", " ("+str("source")+")")
	case store.AuditUnsuppress:
		return actor + " lifted the suppression of mail to " + user
	case store.AuditBroadcast:
		return actor + " started broadcast " + str("broadcast") + " to " + str("recipients") + " people"
	case store.AuditChoice:
		what := map[string]string{store.ChoiceMail: "optional mail", store.ChoiceAnalytics: "usage analytics"}[str("kind")]
		if what == "" {
			what = str("kind")
		}
		verb := either(str("objected") == "true", " objects to ", " no longer objects to ")
		if self {
			return actor + verb + what
		}
		return actor + " recorded that " + user + verb + what
	case store.AuditCcAccept:
		return actor + " added " + user + " to " + ticket
	case store.AuditParticipantAdd:
		return actor + " added " + user + " to " + ticket
	case store.AuditParticipantRemove:
		return actor + " removed " + user + " from " + ticket
	case store.AuditCcDismiss:
		return actor + " dismissed " + either(str("count") != "", str("count")+" ", "") + "suggested people on " + ticket
	case store.AuditHeldRelease:
		return actor + " released held mail " + str("inbound_mail") + either(ticket != "", " into "+ticket)
	case store.AuditCustomerMerge:
		return actor + " merged customer #" + str("merged") + " into " + user + "; moved: tickets " + str("tickets") + ", messages " + str("messages")
	case store.AuditHeldDelete:
		return actor + " deleted held mail " + str("inbound_mail")
	case store.AuditStaffProfile:
		return actor + " changed how customers see them"
	case store.AuditStaffTimeZone:
		return actor + " now sees times in " + either(str("new") != "", str("new"), "the desk's time zone")
	case store.AuditTicketTags, store.AuditTagMerge:
		return actor + tagSentence(d, ticket)
	case store.AuditSavedReplyCreate, store.AuditSavedReplyUpdate, store.AuditSavedReplyDelete:
		verb := map[string]string{store.AuditSavedReplyCreate: " made ", store.AuditSavedReplyUpdate: " changed ", store.AuditSavedReplyDelete: " deleted "}[e.Action]
		return actor + verb + either(str("shared") == "true", "shared", "personal") + " saved reply " + str("saved_reply")
	case store.AuditRating: // satisfaction ratings (issue 18)
		if str("rating") == "" {
			return actor + " commented on their rating of " + ticket
		}
		return actor + " rated " + ticket + " " + str("rating") + either(str("from") != "", " (was "+str("from")+")")
	case store.AuditPolicyPublish:
		return actor + " published version " + str("version") + " of the " + strings.ReplaceAll(str("kind"), "_", " ") +
			either(str("significant") == "true", " (significant)", "")
	}
	s := actor + ": " + strings.ReplaceAll(e.Action, "_", " ")
	if e.UserID != nil {
		s += ", " + user
	}
	if ticket != "" {
		s += ", " + ticket
	}
	keys := slices.Sorted(maps.Keys(d))
	for i, k := range keys {
		s += either(i == 0, " (", ", ") + strings.ReplaceAll(k, "_", " ") + " " + fmt.Sprint(d[k]) + either(i == len(keys)-1, ")")
	}
	return s
}

// ticketChange says what a ticket change changed: "changed status open →
// pending", "assigned it to Mia".
func ticketChange(d map[string]any, person func(*int64) string) string {
	var parts []string
	was, _ := d["was"].(map[string]any)
	for _, field := range []string{"status", "priority", "category"} {
		now, _ := d[field].(string)
		old, changed := was[field].(string)
		switch {
		case changed:
			parts = append(parts, "changed "+field+" "+either(old == "", "(none)", old)+" → "+now)
		case was == nil && now != "":
			parts = append(parts, "set "+field+" to "+now) // entries from before "was" was recorded
		}
	}
	if id, ok := d["assignee"].(float64); ok {
		i := int64(id)
		parts = append(parts, "assigned it to "+person(&i))
	} else if d["unassign"] == true {
		parts = append(parts, "unassigned it")
	}
	if len(parts) == 0 {
		return "changed the ticket"
	}
	return strings.Join(parts, ", ")
}

// either is yes if cond, else the optional no ("").
func either(cond bool, yes string, no ...string) string {
	if cond {
		return yes
	}
	if len(no) > 0 {
		return no[0]
	}
	return ""
}

// tagSentence says what a tag change did, after its actor: "tagged #12
// “billing”", "removed the tag “vip” from #12", "merged “bill” into
// “billing” (3 tickets)".
func tagSentence(d map[string]any, ticket string) string {
	names := func(v any) string {
		var out []string
		list, _ := v.([]any)
		for _, x := range list {
			out = append(out, "“"+fmt.Sprint(x)+"”")
		}
		return strings.Join(out, ", ")
	}
	if m, ok := d["merged"].(map[string]any); ok {
		return " moved " + ticket + " from the tag " + names(m["from"]) + " to “" + fmt.Sprint(m["into"]) + "”"
	}
	switch {
	case d["added"] != nil:
		return " tagged " + ticket + " " + names(d["added"])
	case d["removed"] != nil:
		return " removed the tag " + names(d["removed"]) + " from " + ticket
	case d["into"] != nil:
		return " merged the tag " + names(d["from"]) + " into “" + fmt.Sprint(d["into"]) + "” (" + fmt.Sprint(d["tickets"]) + " tickets)"
	}
	return " changed tags"
}
