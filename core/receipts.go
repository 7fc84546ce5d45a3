package core

import (
	"context"
	"fmt"
	"sync"
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

// UnreadRecountLimit is the most messages an ack reads, each way, to recount
// Unread: an ack costs what it changes, never a whole conversation. A count
// it cannot finish is kept as UnreadRecountLimit: "many" (the SPA shows any
// count past 99 as "99+").
const UnreadRecountLimit = 1000

// Receipts are the watermarks of a conversation as a store read them for one
// of its members: theirs and the other member's, with the version of the
// conversation's receipts that the store's Ack may check has not moved since
// (every message and every ack moves it; zero when there is none yet or the
// store keeps none).
type Receipts struct {
	Watermarks Watermarks
	Theirs     Watermarks
	Version    int64
}

// Ack is a member's acknowledgement of the messages of their conversation
// with With up to UpTo: delivered, and read too when Read.
type Ack struct {
	Member string
	With   string
	UpTo   string
	Read   bool
	// Seen is what ReceiptStore.Receipts returned just before, which the
	// store starts from instead of reading it again.
	Seen Receipts
	// RecountLimit is the most messages the store reads each way to recount
	// Unread (UnreadRecountLimit unless a test says less).
	RecountLimit int
}

// Limit is the most messages the store reads each way to recount Unread:
// a.RecountLimit, or UnreadRecountLimit when that is not set.
func (a Ack) Limit() int {
	if a.RecountLimit < 1 {
		return UnreadRecountLimit
	}
	return a.RecountLimit
}

// LeavesUnread reports whether the message id from sender is still unread
// once a, with Read, is applied: the one rule by which every store recounts
// the Unread of the member's contact for With. An unsent (deleted) message
// is never unread.
func (a Ack) LeavesUnread(id, sender string, deleted bool) bool {
	return sender == a.With && id > a.UpTo && !deleted
}

// Passes reports whether the read watermark, moving from before to a.UpTo,
// passes the message id from sender, which was unread and no longer is.
func (a Ack) Passes(id, sender, before string, deleted bool) bool {
	return sender == a.With && id > before && id <= a.UpTo && !deleted
}

// UnreadCount is how many of With's messages an ack counted over one range of
// the conversation, reading at most its RecountLimit messages: Complete when
// the range held no more than that, so Count is all of them.
type UnreadCount struct {
	Count    int
	Complete bool
}

// Unread is the Unread an ack that moved the member's read watermark leaves
// on their contact, the one rule every store applies: ahead counts With's
// messages after UpTo, passed those the read watermark moved over, and before
// is the Unread the contact had (exact when below the limit, for only this
// rule ever keeps a count it could not finish). Exact when either count is
// complete (passed only with an exact before); otherwise the limit, "999+".
func (a Ack) Unread(ahead, passed UnreadCount, before int) int {
	switch {
	case ahead.Complete:
		return ahead.Count
	case passed.Complete && before < a.Limit():
		return max(before-passed.Count, 0)
	default:
		return a.Limit()
	}
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
	// Receipts returns member's watermarks in the conversation with with, in
	// one read of one small item: all an ack that moves nothing costs.
	Receipts(ctx context.Context, member, with string) (Receipts, error)

	// Ack moves a.Member's watermarks in the conversation with a.With
	// forward to a.UpTo (never back, even when two acks race), starting from
	// a.Seen and reading again only when something changed since. When Read
	// moves it sets Unread on a.Member's contact for a.With as Ack.Unread
	// says, counting at most a.RecountLimit messages after a.UpTo and, when
	// those do not reach the newest, at most as many that the read watermark
	// moved over, in one atomic write that a message stored at the same
	// moment cannot slip past. ENOTFOUND when a.UpTo is not a message of that
	// conversation and the watermarks would move.
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
// connections (all but except), what moved. Every ack spends one frame of
// the caller's frame budget (ETHROTTLED when it is empty, ESUSPENDED when
// the caller is suspended), beside the one read of the watermarks, so that
// an ack that moves nothing costs two requests whatever the conversation's
// length, and a flood of them is refused as any other flood of frames.
func (s *Service) Ack(ctx context.Context, caller Caller, in AckInput, except string) (Watermarks, error) {
	other, err := s.otherMember(caller, in.With)
	if err != nil {
		return Watermarks{}, renameField(err, "with")
	}
	if !validToken(in.UpTo) {
		return Watermarks{}, invalidField("upTo", "is not a message ID")
	}
	var seen Receipts
	var spent, read error
	var wg sync.WaitGroup
	wg.Go(func() { spent = s.SpendFrame(ctx, caller) })
	wg.Go(func() { seen, read = s.store.Receipts(ctx, caller.Email, other) })
	wg.Wait()
	if spent != nil {
		return Watermarks{}, spent
	}
	if read != nil {
		return Watermarks{}, fmt.Errorf("ack messages with %s: %w", other, read)
	}
	if seen.Watermarks.Advance(in.UpTo, in.Read) == seen.Watermarks {
		return seen.Watermarks, nil
	}
	ack := Ack{Member: caller.Email, With: other, UpTo: in.UpTo, Read: in.Read, Seen: seen, RecountLimit: s.recountLimit}
	result, err := s.store.Ack(ctx, ack)
	if err != nil {
		return Watermarks{}, fmt.Errorf("ack messages with %s: %w", other, err)
	}
	if result.Moved {
		deliveries := []delivery{{to: other, event: ReceiptEvent{With: caller.Email, Watermarks: result.Watermarks}}}
		if result.Contact != nil {
			deliveries = append(deliveries, delivery{to: caller.Email, event: ContactEvent{Contact: *result.Contact}, except: except})
		}
		s.push(ctx, deliveries...)
		if s.readConversations != nil && result.ClearsNotification(other) {
			s.readConversations(ConversationRead{Member: caller.Email, With: other})
		}
	}
	return result.Watermarks, nil
}
