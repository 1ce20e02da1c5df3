package web

// customerStatuses are the words a customer reads for a ticket's status;
// staff keep the codes.
var customerStatuses = map[string]string{
	"open":     "Open",
	"pending":  "Waiting for you",
	"resolved": "Resolved",
	"closed":   "Closed",
}

// customerStatus returns the customer's word for a status.
func customerStatus(status string) string {
	if s, ok := customerStatuses[status]; ok {
		return s
	}
	return status
}

// customerPriorities are the priorities a customer may choose: "urgent" is
// for staff to decide.
var customerPriorities = []string{"low", "normal", "high"}
