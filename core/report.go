package core

import "time"

// Report is kept for moderation when someone reports a contact: who reported
// whom, why, when, and the latest messages of their conversation as evidence.
//
// The evidence is the ReportEvidenceLength messages of the conversation with
// an ID below the report's ID, read when the report is read: messages are
// never edited nor deleted, so they are what the reporter saw, and reporting
// costs no read of the conversation. (Whatever deletes messages one day must
// keep those of open reports.)
type Report struct {
	ID       string
	Reporter string
	Reported string
	Text     string
	Date     time.Time
	Evidence []Message
	// Resolution is how an operator closed the report; empty while it is open.
	Resolution Resolution
	// Closed is when it was closed; zero while it is open.
	Closed time.Time
}
