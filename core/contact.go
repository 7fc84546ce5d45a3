package core

import (
	"strings"
	"time"
)

// Contact is an entry in one person's contact list: the Owner's view of the
// person at Email. Blocked and Report are the Owner's decisions about them.
// A Request contact is one the Owner never added: a stranger who wrote to them.
type Contact struct {
	ID           string
	Owner        string
	Email        string
	Name         string
	Blocked      bool
	Report       string
	Request      bool
	CreatedAt    time.Time
	LastActivity time.Time
	// LastMessage is the preview of the latest message of the conversation,
	// nil until one is sent.
	LastMessage *Message
	// Unread is how many of Email's messages are newer than the Owner's read
	// watermark in their conversation.
	Unread int
}

// NewContact returns a validated contact of owner for the person at email.
func NewContact(id, owner, email, name string, now time.Time) (Contact, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Contact{}, err
	}
	if email == owner {
		return Contact{}, invalidField("email", "is your own address; you cannot add yourself")
	}
	name, err = normalizeName("name", name)
	if err != nil {
		return Contact{}, err
	}
	return Contact{ID: id, Owner: owner, Email: email, Name: name, CreatedAt: now, LastActivity: now}, nil
}

// placeholderContact is the contact created when the owner has not named the
// person: a stranger's first message, or a block of someone never added.
func placeholderContact(id, owner, email string, now time.Time) Contact {
	name := email[:strings.IndexByte(email, '@')]
	return Contact{ID: id, Owner: owner, Email: email, Name: name, CreatedAt: now, LastActivity: now}
}
