package core

import (
	"context"
	"fmt"
)

// Watermarks are how far one member of a conversation has come: Delivered is
// the newest message ID a device of theirs has, Read the newest they have
// displayed. Both only move forward, and Read never passes Delivered. An empty
// watermark is before every message.
type Watermarks struct {
	Delivered string
	Read      string
}

// Advance is w moved forward to upTo, Read too when read, for stores that
// apply an Ack: watermarks never move back, whatever order acks arrive in.
func (w Watermarks) Advance(upTo string, read bool) Watermarks {
	if upTo > w.Delivered {
		w.Delivered = upTo
	}
	if read && upTo > w.Read {
		w.Read = upTo
	}
	return w
}

// Status is how far a message its sender sent has come, as its sender sees it.
type Status string

// The statuses of a sent message, from the recipient's watermarks.
const (
	StatusSent      Status = "sent"
	StatusDelivered Status = "delivered"
	StatusRead      Status = "read"
)

// StatusOf is the status of the message with id given the recipient's
// watermarks.
func (w Watermarks) StatusOf(id string) Status {
	switch {
	case w.Read != "" && id <= w.Read:
		return StatusRead
	case w.Delivered != "" && id <= w.Delivered:
		return StatusDelivered
	default:
		return StatusSent
	}
}

// Ack is a member's acknowledgement of the messages of their conversation
// with With up to UpTo: delivered, and read too when Read.
type Ack struct {
	Member string
	With   string
	UpTo   string
	Read   bool
}

// LeavesUnread reports whether the message id from sender is still unread
// once a, with Read, is applied: the one rule by which every store recounts
// the Unread of the member's contact for With.
func (a Ack) LeavesUnread(id, sender string) bool {
	return sender == a.With && id > a.UpTo
}

// AckResult is what an Ack left stored.
type AckResult struct {
	// Watermarks are the member's watermarks now.
	Watermarks Watermarks
	// Moved is false when the ack was behind the stored watermarks.
	Moved bool
	// Contact is the member's contact for With as the ack left it, with its
	// Unread recounted, when Read moved and the member has that contact.
	Contact *Contact
}

// ReceiptStore keeps the receipt watermarks of conversations.
type ReceiptStore interface {
	// Ack moves a.Member's watermarks in the conversation with a.With
	// forward to a.UpTo (never back, even when two acks race) and, when Read
	// moves, sets Unread on a.Member's contact for a.With to the exact count of
	// a.With's messages newer than it, in one atomic write that a message
	// stored at the same moment cannot slip past. ENOTFOUND when a.UpTo is not
	// a message of that conversation.
	Ack(ctx context.Context, a Ack) (AckResult, error)
}

// AckInput is a member's acknowledgement request.
type AckInput struct {
	With string
	UpTo string
	Read bool
}

// Ack moves the caller's receipt watermarks in the conversation with in.With
// forward and tells the other member's connections, and the caller's other
// connections (all but except), what moved.
func (s *Service) Ack(ctx context.Context, caller Caller, in AckInput, except string) (Watermarks, error) {
	other, err := s.otherMember(caller, in.With)
	if err != nil {
		return Watermarks{}, renameField(err, "with")
	}
	if !validToken(in.UpTo) {
		return Watermarks{}, invalidField("upTo", "is not a message ID")
	}
	result, err := s.store.Ack(ctx, Ack{Member: caller.Email, With: other, UpTo: in.UpTo, Read: in.Read})
	if err != nil {
		return Watermarks{}, fmt.Errorf("ack messages with %s: %w", other, err)
	}
	if result.Moved {
		deliveries := []delivery{{to: other, event: ReceiptEvent{With: caller.Email, Watermarks: result.Watermarks}}}
		if result.Contact != nil {
			deliveries = append(deliveries, delivery{to: caller.Email, event: ContactEvent{Contact: *result.Contact}, except: except})
		}
		s.push(ctx, deliveries...)
	}
	return result.Watermarks, nil
}
