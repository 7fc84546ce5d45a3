package core

import "context"

// ContactStore keeps every person's contact list. Emails are already
// normalized by the service. Implementations are safe for concurrent use.
type ContactStore interface {
	// CreateContact stores c in c.Owner's list unless the owner already has a
	// contact with c.Email. It returns the contact now stored and whether this
	// call created it. A Request contact is turned into a regular one, keeping
	// its ID, taking c.Name, and counts as created.
	CreateContact(ctx context.Context, c Contact) (stored Contact, created bool, err error)

	// Contacts returns all of owner's contacts, in no particular order, and an
	// empty slice when there are none.
	Contacts(ctx context.Context, owner string) ([]Contact, error)

	// Contact returns owner's contact with email. ENOTFOUND when there is none.
	Contact(ctx context.Context, owner, email string) (Contact, error)

	// BlockContact marks owner's contact with c.Email as blocked, storing c
	// (blocked) first when the owner has no such contact, and returns it.
	BlockContact(ctx context.Context, c Contact) (Contact, error)

	// UnblockContact clears the block on owner's contact with email and
	// returns it. ENOTFOUND when the owner has no such contact.
	UnblockContact(ctx context.Context, owner, email string) (Contact, error)

	// ReportContact sets r.Text as the report on r.Reporter's contact with
	// r.Reported and keeps r for moderation, in one atomic write, and returns
	// the contact. A report with the same reporter, reported and text as one
	// already kept is the same report (a retry): nothing more is kept and the
	// contact is returned. r.Evidence is not stored: see Report.
	// ENOTFOUND when the reporter has no such contact.
	ReportContact(ctx context.Context, r Report) (Contact, error)
}

// MessageStore keeps conversations. Implementations are safe for concurrent use.
type MessageStore interface {
	// AddMessage stores m in the conversation of m.Sender and m.Recipient in
	// one atomic write that also checks the rules of sending, so that no race
	// with a block or a retry can break them:
	//   - ENOTFOUND when the sender has no contact for the recipient;
	//   - EBLOCKED when the sender has blocked the recipient or the recipient
	//     has blocked the sender, as stored at the moment of the write;
	//   - when m.ClientID is not empty and the sender already stored a message
	//     with that ClientID to that recipient less than ClientIDWindow before
	//     m.Date, nothing is written and that message is returned with
	//     created false.
	// The same write sets LastActivity to m.Date and LastMessage to preview
	// (m as a contact list shows it) on both members' contacts, adds one to Unread on the
	// recipient's, and stores request (with Unread 1) as the recipient's
	// contact for the sender when the recipient has none.
	AddMessage(ctx context.Context, m, preview Message, request Contact) (SentMessage, error)

	// Messages returns a page of the conversation of q.Reader and q.With in
	// ascending ID order (an empty slice when there are none): the newest
	// q.Limit messages with an ID below q.Before, or the oldest q.Limit with an
	// ID above q.After, or the newest q.Limit when neither is set; and
	// q.With's watermarks whenever the page holds a message of q.Reader's.
	Messages(ctx context.Context, q MessageQuery) (MessagePage, error)
}

// SentMessage is what AddMessage stored, or found stored.
type SentMessage struct {
	Message Message
	// Created is false when a message with the same ClientID was stored
	// before, and Message is that one.
	Created bool
	// Request is the contact this message made for its recipient, a
	// stranger's first message; nil otherwise.
	Request *Contact
}

// MessageQuery asks for a page of the conversation of Reader and With.
type MessageQuery struct {
	Reader, With  string
	Before, After string
	Limit         int
}

// MessagePage is a page of a conversation and the watermarks of the member
// the reader talks with, which give the reader's own messages their status.
type MessagePage struct {
	Messages       []Message
	WithWatermarks Watermarks
}

// ModerationStore gives moderators the reports people filed.
type ModerationStore interface {
	// Reports returns every report filed about the person at reported, oldest
	// first, each with its Evidence read, and an empty slice when there are none.
	Reports(ctx context.Context, reported string) ([]Report, error)
}

// Store is everything the service needs kept.
type Store interface {
	ContactStore
	ContactDirectory
	MessageStore
	ModerationStore
	ReceiptStore
	ConnectionStore
}
