package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Service is Parley's application: every use case of the API, enforcing the
// rules of the product on top of a Store. It is safe for concurrent use.
type Service struct {
	store        Store
	now          func() time.Time
	newID        func() string
	pusher       Pusher
	pushDeadline time.Duration
	observePush  func(PushReport)
	// snapshots, when set, publishes channel snapshots after each change (feed.go).
	snapshots       SnapshotWriter
	onSnapshotError func(channel string, err error)
	budget          SendBudget
	sendLimit       SendLimit
}

// Option configures a Service.
type Option func(*Service)

// WithPusher makes the service tell people's realtime connections what its
// writes change, through pusher. Without it nothing is pushed.
func WithPusher(pusher Pusher) Option {
	return func(s *Service) { s.pusher = pusher }
}

// WithPushDeadline bounds the pushes of one write by d instead of
// PushDeadline.
func WithPushDeadline(d time.Duration) Option {
	return func(s *Service) { s.pushDeadline = d }
}

// WithPushObserver hands observe the count of every write's pushes, for logs
// and metrics.
func WithPushObserver(observe func(PushReport)) Option {
	return func(s *Service) { s.observePush = observe }
}

// NewService returns a service over store. now is the clock and newID returns
// a fresh ID that sorts after every ID it returned before.
func NewService(store Store, now func() time.Time, newID func() string, opts ...Option) *Service {
	s := &Service{store: store, now: now, newID: newID, pushDeadline: PushDeadline}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// AddContactInput is the request to add a contact.
type AddContactInput struct {
	Email string
	Name  string
}

// AddContact adds the person at in.Email to the caller's contacts. When they
// already are a contact it returns the existing one with created false, so
// adding twice never duplicates.
func (s *Service) AddContact(ctx context.Context, caller Caller, in AddContactInput) (Contact, bool, error) {
	contact, err := NewContact(s.newID(), caller.Email, in.Email, in.Name, s.now().UTC())
	if err != nil {
		return Contact{}, false, err
	}
	stored, created, err := s.store.CreateContact(ctx, contact)
	if err != nil {
		return Contact{}, false, fmt.Errorf("add contact %s: %w", contact.Email, err)
	}
	if created {
		s.push(ctx, delivery{to: caller.Email, event: ContactEvent{Contact: stored}})
	}
	return stored, created, nil
}

// GetContacts returns the caller's contacts, most recent activity first.
func (s *Service) GetContacts(ctx context.Context, caller Caller) ([]Contact, error) {
	contacts, err := s.store.Contacts(ctx, caller.Email)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	sortByRecentActivity(contacts)
	return contacts, nil
}

// BlockContact blocks the person at email for the caller: from now on no
// message between them is stored, in either direction. Blocking someone who
// is not a contact yet adds them, blocked.
func (s *Service) BlockContact(ctx context.Context, caller Caller, email string) (Contact, error) {
	email, err := s.otherMember(caller, email)
	if err != nil {
		return Contact{}, err
	}
	contact := placeholderContact(s.newID(), caller.Email, email, s.now().UTC())
	contact.Blocked = true
	blocked, err := s.store.BlockContact(ctx, contact)
	if err != nil {
		return Contact{}, fmt.Errorf("block contact %s: %w", email, err)
	}
	s.push(ctx, delivery{to: caller.Email, event: ContactEvent{Contact: blocked}})
	return blocked, nil
}

// UnblockContact lifts the caller's block on the person at email.
func (s *Service) UnblockContact(ctx context.Context, caller Caller, email string) (Contact, error) {
	email, err := s.otherMember(caller, email)
	if err != nil {
		return Contact{}, err
	}
	contact, err := s.store.UnblockContact(ctx, caller.Email, email)
	if err != nil {
		return Contact{}, fmt.Errorf("unblock contact %s: %w", email, err)
	}
	s.push(ctx, delivery{to: caller.Email, event: ContactEvent{Contact: contact}})
	return contact, nil
}

// ReportContact records the caller's report about a contact, keeping the
// latest messages of their conversation as evidence for moderation.
func (s *Service) ReportContact(ctx context.Context, caller Caller, email, text string) (Contact, error) {
	email, err := s.otherMember(caller, email)
	if err != nil {
		return Contact{}, err
	}
	text, err = normalizeText("report", text, MaxReportRunes, true)
	if err != nil {
		return Contact{}, err
	}
	report := Report{ID: s.newID(), Reporter: caller.Email, Reported: email, Text: text, Date: s.now().UTC()}
	contact, err := s.store.ReportContact(ctx, report)
	if err != nil {
		return Contact{}, fmt.Errorf("report contact %s: %w", email, err)
	}
	return contact, nil
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
	now := s.now().UTC()
	message := Message{ID: s.newID(), Sender: caller.Email, Recipient: recipient, Text: text, Date: now, ClientID: in.ClientID}
	request := placeholderContact(s.newID(), recipient, caller.Email, now)
	request.Request = true
	var sent SentMessage
	err = s.spendSend(ctx, caller.Email, func() (bool, error) {
		sent, err = s.store.AddMessage(ctx, message, message.Preview(), request)
		return sent.Created, err
	})
	if err != nil {
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
		s.push(ctx, deliveries...)
	}
	return sent.Message, sent.Created, nil
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
	limit := in.Limit
	switch {
	case limit == 0:
		limit = DefaultMessagePage
	case limit < 1 || limit > MaxMessagePage:
		return nil, invalidField("limit", "must be between 1 and %d", MaxMessagePage)
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

// otherMember normalizes the email of the other member of a conversation and
// refuses the caller's own.
func (s *Service) otherMember(caller Caller, email string) (string, error) {
	other, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	if other == caller.Email {
		return "", invalidField("email", "is your own address")
	}
	return other, nil
}

// renameField re-labels an invalid-field error of a general rule (an email)
// with the role the field plays in a use case (the recipient).
func renameField(err error, field string) error {
	var e *Error
	if !errors.As(err, &e) || e.Field == "" {
		return err
	}
	return &Error{Code: e.Code, Field: field, Reason: e.Reason, Message: field + ": " + e.Reason}
}
