package main

import (
	"strings"
	"time"

	"github.com/dargo-support/dargo/internal/ratelink"
)

// rateLink gives the signed link in a resolution mail that rates a ticket
// for its customer: it works ratelink.TTL from the mail's making.
func (c *Config) rateLink(ticketID, userID int64, rating string) (string, error) {
	tok, err := ratelink.Rate(c.Secret, ticketID, userID, rating, time.Now().Add(ratelink.TTL))
	if err != nil {
		return "", err
	}
	return strings.TrimRight(c.BaseURL, "/") + "/rate/" + tok, nil
}
