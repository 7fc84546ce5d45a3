package core

import (
	"context"
	"errors"
	"fmt"
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
	// Deleted says its sender unsent it: its Text is erased (Erased).
	Deleted bool
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
	//   - with a charge, the same write takes charge's send as
	//     SendBudget.Spend does; ESUSPENDED or ETHROTTLED (with RetryAfter)
	//     refuse the write, before any other refusal but a retried ClientID,
	//     which takes nothing;
	//   - an *OutOfOrderError (ECONFLICT) when the conversation already
	//     holds a message whose ID is not below m.ID: a message named before
	//     another committed first. Messages commit in ID order, so a reader
	//     catching up after the newest message it has never misses one.
	AddMessage(ctx context.Context, m, preview Message, request Contact, charge *Charge) (SentMessage, error)

	// Messages returns a page of the conversation of q.Reader and q.With in
	// ascending ID order (an empty slice when there are none): the newest
	// q.Limit messages with an ID below q.Before, or the oldest q.Limit with an
	// ID above q.After, or the newest q.Limit when neither is set; and
	// q.With's watermarks whenever the page holds a message of q.Reader's.
	Messages(ctx context.Context, q MessageQuery) (MessagePage, error)

	MessageEraser
}

// OutOfOrderError refuses a message (or a channel post) whose ID sorts below
// the newest one of its conversation (channel): it was named before a write
// that committed first. Stored, it would be invisible to a reader catching up
// after that newer one, so nothing is written, and the service names it again
// after Newest, the date of the newest. Its code is ECONFLICT.
type OutOfOrderError struct {
	Newest time.Time
}

func (e *OutOfOrderError) Error() string {
	return "a newer write committed first, dated " + e.Newest.Format(time.RFC3339Nano)
}

// Unwrap gives the error its code.
func (e *OutOfOrderError) Unwrap() error {
	return Errorf(ECONFLICT, "Too many messages at once. Try again.")
}

// maxRenames bounds how many times one write is named again after losing its
// place in its conversation or channel. Each round of writes racing for one
// conversation has a winner, so a write loses at most as many rounds as there
// are writers racing it: in a conversation of two, rarely one; 32 rides out a
// 16-sender storm (storetest's DateOrderIsIDOrderUnderConcurrentSends).
const maxRenames = 32

// writeInOrder runs write with the ID and date a write was named with, and
// names it again (restamp) each time the store finds that a write named later
// committed first, at most maxRenames times.
func (s *Service) writeInOrder(id string, at time.Time, write func(id string, at time.Time) error) error {
	var err error
	for range maxRenames {
		if err = write(id, at); err == nil {
			return nil
		}
		var again bool
		if id, at, again = s.restamp(err); !again {
			return err
		}
	}
	return err
}

// restamp names again a write that lost its place (err is an
// *OutOfOrderError): a reading of the clock, no earlier than a millisecond
// after the newest write, and an ID stamped with it. ok is false for any
// other err.
func (s *Service) restamp(err error) (id string, at time.Time, ok bool) {
	var late *OutOfOrderError
	if !errors.As(err, &late) {
		return "", time.Time{}, false
	}
	at = s.now().UTC().Truncate(time.Millisecond)
	if next := late.Newest.UTC().Truncate(time.Millisecond).Add(time.Millisecond); at.Before(next) {
		at = next
	}
	return s.newID(at), at, true
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

// AddMessageInput is the request to send a message.
type AddMessageInput struct {
	Recipient string
	Text      string
	ClientID  string
}

// AddMessage sends a message from the caller to one of their contacts. With a
// ClientID, sending the same message again returns the stored one with created
// false instead of storing a second.
func (s *Service) AddMessage(ctx context.Context, caller Caller, in AddMessageInput) (Message, bool, error) {
	recipient, err := s.otherMember(caller, in.Recipient)
	if err != nil {
		return Message{}, false, renameField(err, "recipient")
	}
	text, err := normalizeSend(in.Text, in.ClientID)
	if err != nil {
		return Message{}, false, err
	}
	id, now := s.stamp()
	message := Message{ID: id, Sender: caller.Email, Recipient: recipient, Text: text, Date: now, ClientID: in.ClientID}
	request := placeholderContact(s.newID(now), recipient, caller.Email, now)
	request.Request = true
	// Both members' connections are looked up while the message is written,
	// and the write spends the send: one round trip before the pushes.
	lookup := s.lookUpConnections(ctx, recipient, caller.Email)
	defer lookup.stop()
	charge := s.chargeOf(caller, now)
	sent, err := s.storeMessage(ctx, message, request, charge)
	if err != nil {
		s.chargeRefused(ctx, charge, err)
		return Message{}, false, fmt.Errorf("add message to %s: %w", recipient, err)
	}
	sent.Message.Status = StatusSent
	if sent.Created {
		// A retry of a stored send pushes nothing: its first attempt did, and
		// a client that missed it catches up with get-messages?after=.
		deliveries := []delivery{
			{to: recipient, event: MessageEvent{Message: sent.Message}},
			{to: caller.Email, event: MessageEvent{Message: sent.Message}},
		}
		if sent.Request != nil {
			deliveries = append(deliveries, delivery{to: recipient, event: ContactEvent{Contact: *sent.Request}})
		}
		s.pushLookedUp(ctx, lookup, deliveries...)
		if s.sentMessages != nil {
			s.sentMessages(sent.Message)
		}
	}
	return sent.Message, sent.Created, nil
}

// storeMessage stores m, naming it again each time the store finds that a
// message named later committed first.
func (s *Service) storeMessage(ctx context.Context, m Message, request Contact, charge *Charge) (SentMessage, error) {
	var sent SentMessage
	err := s.writeInOrder(m.ID, m.Date, func(id string, at time.Time) (err error) {
		m.ID, m.Date = id, at
		sent, err = s.store.AddMessage(ctx, m, m.Preview(), request, charge)
		return err
	})
	if err != nil {
		return SentMessage{}, err
	}
	return sent, nil
}

// GetMessagesInput is the request for a page of a conversation: the newest
// Limit messages older than message Before, or the oldest Limit messages newer
// than message After (for a client catching up), or the newest Limit.
type GetMessagesInput struct {
	With   string
	Before string
	After  string
	Limit  int
}

// GetMessages returns a page of the caller's conversation with in.With, in
// date order, the caller's own messages with their Status. in.With is the
// other member's email or the ID of one of the caller's contacts
// (conversationPartner). Either member may read it, whether or not they have
// added the other.
func (s *Service) GetMessages(ctx context.Context, caller Caller, in GetMessagesInput) ([]Message, error) {
	other, err := s.conversationPartner(ctx, caller, in.With)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, DefaultMessagePage, MaxMessagePage)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Before != "" && in.After != "":
		return nil, invalidField("after", "cannot be combined with before; page one way at a time")
	case in.Before != "" && !validToken(in.Before):
		return nil, invalidField("before", "is not a message ID")
	case in.After != "" && !validToken(in.After):
		return nil, invalidField("after", "is not a message ID")
	}
	page, err := s.store.Messages(ctx, MessageQuery{Reader: caller.Email, With: other, Before: in.Before, After: in.After, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("get messages with %s: %w", other, err)
	}
	for i, m := range page.Messages {
		if m.Sender == caller.Email {
			page.Messages[i].Status = page.WithWatermarks.StatusOf(m.ID)
		}
	}
	return page.Messages, nil
}

// Erased is m unsent: still in its place in the conversation, so the order
// and the receipts stay true, marked Deleted and with no text.
func (m Message) Erased() Message {
	m.Text, m.Deleted = "", true
	return m
}

// Unsend is a sender's request to erase one of their messages for both
// members of its conversation.
type Unsend struct {
	Sender    string
	Recipient string
	ID        string
}

// UnsentMessage is what MessageStore.DeleteMessage left stored.
type UnsentMessage struct {
	// Message is the message, erased.
	Message Message
	// Erased is false when it was erased before: a retry.
	Erased bool
	// Contacts are the members' contacts for each other that the erasing
	// changed (their LastMessage, the recipient's Unread).
	Contacts []Contact
}

// UnsentFromContact is c once message id, which the other member sent to
// c.Owner or c.Owner sent to them, is erased: a LastMessage that is that
// message shows it erased, and when c.Owner received it and had not read
// it (read is c.Owner's read watermark) it no longer counts as unread. A
// count kept as "many" (UnreadRecountLimit) stays so. changed is false when
// c does not change. Every store corrects contacts with it.
func UnsentFromContact(c Contact, erased Message, read string) (Contact, bool) {
	changed := false
	if c.LastMessage != nil && c.LastMessage.ID == erased.ID {
		preview := erased.Preview()
		c.LastMessage, changed = &preview, true
	}
	if erased.Recipient == c.Owner && erased.ID > read && c.Unread > 0 && c.Unread < UnreadRecountLimit {
		c.Unread--
		changed = true
	}
	return c, changed
}

// ErrNoMessage is the refusal to unsend a message that is not one the caller
// sent in that conversation: the same whether it does not exist or someone
// else sent it, so nobody learns of messages they cannot unsend.
func ErrNoMessage(id string) error {
	return &Error{Code: ENOTFOUND, Field: "id", Reason: "is not a message you sent in this conversation", Message: "id: is not a message you sent in this conversation"}
}

// MessageEraser erases messages. Implementations are safe for concurrent use.
type MessageEraser interface {
	// DeleteMessage erases the text of message u.ID of the conversation of
	// u.Sender and u.Recipient, which u.Sender must have sent (ErrNoMessage
	// otherwise), wherever the store keeps it (the message, its idempotency
	// marker, a contact's LastMessage), in one atomic write that also
	// corrects both members' contacts as UnsentFromContact says. Before it,
	// every report of that conversation filed after the message (whose
	// evidence may hold it) keeps its evidence as it was (Report). Erasing
	// an erased message writes nothing and returns it with Erased false.
	DeleteMessage(ctx context.Context, u Unsend) (UnsentMessage, error)
}

// DeleteMessageInput is the request to unsend a message.
type DeleteMessageInput struct {
	With string
	ID   string
}

// DeleteMessage unsends the caller's message in.ID of their conversation
// with in.With: its text is erased for both members, the message stays in
// place marked Deleted, every connection of both is told, with the contacts
// it changed, and the message goes to WithUnsentMessages, for the
// recipient's notification to lose it. Unsending it again answers the same.
func (s *Service) DeleteMessage(ctx context.Context, caller Caller, in DeleteMessageInput) (Message, error) {
	other, err := s.otherMember(caller, in.With)
	if err != nil {
		return Message{}, renameField(err, "recipient")
	}
	if !validToken(in.ID) {
		return Message{}, invalidField("id", "is not a message ID")
	}
	lookup := s.lookUpConnections(ctx, other, caller.Email)
	defer lookup.stop()
	unsent, err := s.store.DeleteMessage(ctx, Unsend{Sender: caller.Email, Recipient: other, ID: in.ID})
	if err != nil {
		return Message{}, fmt.Errorf("delete message %s: %w", in.ID, err)
	}
	if unsent.Erased {
		deliveries := []delivery{
			{to: other, event: MessageEvent{Message: unsent.Message}},
			{to: caller.Email, event: MessageEvent{Message: unsent.Message}},
		}
		for _, c := range unsent.Contacts {
			deliveries = append(deliveries, delivery{to: c.Owner, event: ContactEvent{Contact: c}})
		}
		s.pushLookedUp(ctx, lookup, deliveries...)
		if s.unsentMessages != nil {
			s.unsentMessages(unsent.Message)
		}
	}
	return unsent.Message, nil
}
