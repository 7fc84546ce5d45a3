package core

import (
	"time"
)

// Message is one message of a one-to-one conversation. IDs sort in time order,
// so a conversation pages by ID.
type Message struct {
	ID        string
	Sender    string
	Recipient string
	Text      string
	Date      time.Time
	// ClientID is the sender's own key for the message, so that a retried send
	// stores it once.
	ClientID string
	// Status is how far the message has come, set on the messages a reader
	// sent when the service hands them to that reader; empty otherwise.
	Status Status
}

// Preview is m with its text cut to MaxPreviewRunes characters, as shown in a
// contact list.
func (m Message) Preview() Message {
	runes := 0
	for i := range m.Text {
		if runes == MaxPreviewRunes {
			m.Text = m.Text[:i]
			break
		}
		runes++
	}
	return m
}

// SentTo reports whether email received m rather than sent it.
func (m Message) SentTo(email string) bool {
	return m.Recipient == email
}

const maxTokenLength = 64

// validToken reports whether s is a non-empty identifier of at most 64
// letters, digits, '-' and '_': the shape of client IDs and message IDs.
func validToken(s string) bool {
	if s == "" || len(s) > maxTokenLength {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
