package core

import "time"

// Report is kept for moderation when someone reports a contact: who reported
// whom, why, when, and the latest messages of their conversation as evidence.
type Report struct {
	ID       string
	Reporter string
	Reported string
	Text     string
	Date     time.Time
	Evidence []Message
}
