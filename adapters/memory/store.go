// Package memory is an in-memory Parley store: the store of `make run` and of
// tests. It keeps everything in maps behind one mutex, which makes each method
// one atomic step, just as each DynamoDB call is one conditional write.
package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/parley-chat/parley/core"
)

var _ core.Store = (*Store)(nil)

type contactKey struct{ owner, email string }

// conversationKey names a conversation by its two members, in sorted order.
type conversationKey struct{ first, second string }

func newConversationKey(a, b string) conversationKey {
	if b < a {
		a, b = b, a
	}
	return conversationKey{a, b}
}

type clientKey struct{ sender, recipient, clientID string }

// Store is an in-memory core.Store, safe for concurrent use. Its zero value is
// not usable: call New.
type Store struct {
	mu            sync.Mutex
	contacts      map[contactKey]core.Contact
	conversations map[conversationKey][]core.Message
	sentByClient  map[clientKey]core.Message
	reports       map[string][]core.Report
	// watermarks holds each member's receipt watermarks by conversation.
	watermarks  map[conversationKey]map[string]core.Watermarks
	connections map[string]core.Connection
	feeds       *channels
	// budgets and suspensions are moderation.go's.
	budgets     map[string]time.Time
	suspensions map[string]core.Suspension
}

// New returns an empty store.
func New() *Store {
	return &Store{
		contacts:      map[contactKey]core.Contact{},
		conversations: map[conversationKey][]core.Message{},
		sentByClient:  map[clientKey]core.Message{},
		reports:       map[string][]core.Report{},
		watermarks:    map[conversationKey]map[string]core.Watermarks{},
		connections:   map[string]core.Connection{},
		feeds:         newChannels(),
		budgets:       map[string]time.Time{},
		suspensions:   map[string]core.Suspension{},
	}
}

// CreateContact implements core.ContactStore.
func (s *Store) CreateContact(_ context.Context, c core.Contact) (core.Contact, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{c.Owner, c.Email}
	existing, ok := s.contacts[key]
	switch {
	case !ok:
		s.contacts[key] = c
		return c, true, nil
	case existing.Request:
		existing.Request = false
		existing.Name = c.Name
		s.contacts[key] = existing
		return existing, true, nil
	default:
		return existing, false, nil
	}
}

// Contacts implements core.ContactStore.
func (s *Store) Contacts(_ context.Context, owner string) ([]core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	contacts := []core.Contact{}
	for key, contact := range s.contacts {
		if key.owner == owner {
			contacts = append(contacts, contact)
		}
	}
	return contacts, nil
}

// Contact implements core.ContactStore.
func (s *Store) Contact(_ context.Context, owner, email string) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	contact, ok := s.contacts[contactKey{owner, email}]
	if !ok {
		return core.Contact{}, core.ErrNotAContact(email)
	}
	return contact, nil
}

// BlockContact implements core.ContactStore.
func (s *Store) BlockContact(_ context.Context, c core.Contact) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{c.Owner, c.Email}
	contact, ok := s.contacts[key]
	if !ok {
		contact = c
	}
	contact.Blocked = true
	s.contacts[key] = contact
	return contact, nil
}

// UnblockContact implements core.ContactStore.
func (s *Store) UnblockContact(_ context.Context, owner, email string) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{owner, email}
	contact, ok := s.contacts[key]
	if !ok {
		return core.Contact{}, core.ErrNotAContact(email)
	}
	contact.Blocked = false
	s.contacts[key] = contact
	return contact, nil
}

// ReportContact implements core.ContactStore.
func (s *Store) ReportContact(_ context.Context, r core.Report) (core.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := contactKey{r.Reporter, r.Reported}
	contact, ok := s.contacts[key]
	if !ok {
		return core.Contact{}, core.ErrNotAContact(r.Reported)
	}
	contact.Report = r.Text
	s.contacts[key] = contact
	if !slices.ContainsFunc(s.reports[r.Reported], func(kept core.Report) bool { return kept.Reporter == r.Reporter && kept.Text == r.Text }) {
		r.Evidence = nil
		s.reports[r.Reported] = append(s.reports[r.Reported], r)
	}
	return contact, nil
}

// Reports implements core.ModerationStore.
func (s *Store) Reports(_ context.Context, reported string) ([]core.Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reports := make([]core.Report, 0, len(s.reports[reported]))
	for _, r := range s.reports[reported] {
		r.Evidence = s.messages(r.Reporter, r.Reported, r.ID, core.ReportEvidenceLength)
		reports = append(reports, r)
	}
	return reports, nil
}

// AddMessage implements core.MessageStore.
func (s *Store) AddMessage(_ context.Context, m, preview core.Message, request core.Contact) (core.SentMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ClientID != "" {
		if sent, ok := s.sentByClient[clientKey{m.Sender, m.Recipient, m.ClientID}]; ok && m.Date.Before(sent.Date.Add(core.ClientIDWindow)) {
			return core.SentMessage{Message: sent}, nil
		}
	}
	senderKey, recipientKey := contactKey{m.Sender, m.Recipient}, contactKey{m.Recipient, m.Sender}
	senderContact, ok := s.contacts[senderKey]
	if !ok {
		return core.SentMessage{}, core.ErrNotAContact(m.Recipient)
	}
	if senderContact.Blocked {
		return core.SentMessage{}, core.ErrYouBlocked(m.Recipient)
	}
	recipientContact, known := s.contacts[recipientKey]
	if !known {
		recipientContact = request
	}
	if recipientContact.Blocked {
		return core.SentMessage{}, core.ErrBlockedByRecipient(m.Recipient)
	}

	conversation := newConversationKey(m.Sender, m.Recipient)
	messages := s.conversations[conversation]
	at, _ := slices.BinarySearchFunc(messages, m.ID, compareID)
	s.conversations[conversation] = slices.Insert(messages, at, m)
	if m.ClientID != "" {
		s.sentByClient[clientKey{m.Sender, m.Recipient, m.ClientID}] = m
	}
	senderPreview, recipientPreview := preview, preview
	senderContact.LastActivity, senderContact.LastMessage = m.Date, &senderPreview
	recipientContact.LastActivity, recipientContact.LastMessage = m.Date, &recipientPreview
	recipientContact.Unread++
	s.contacts[senderKey], s.contacts[recipientKey] = senderContact, recipientContact
	sent := core.SentMessage{Message: m, Created: true}
	if !known {
		sent.Request = &recipientContact
	}
	return sent, nil
}

func compareID(stored core.Message, id string) int { return cmp.Compare(stored.ID, id) }

// Messages implements core.MessageStore.
func (s *Store) Messages(_ context.Context, q core.MessageQuery) (core.MessagePage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conversation := newConversationKey(q.Reader, q.With)
	messages := s.conversations[conversation]
	start, end := 0, len(messages)
	switch {
	case q.After != "":
		start, _ = slices.BinarySearchFunc(messages, q.After, compareID)
		if start < end && messages[start].ID == q.After {
			start++
		}
		end = min(end, start+q.Limit)
	case q.Before != "":
		end, _ = slices.BinarySearchFunc(messages, q.Before, compareID)
		start = max(0, end-q.Limit)
	default:
		start = max(0, end-q.Limit)
	}
	page := make([]core.Message, 0, end-start)
	return core.MessagePage{
		Messages:       append(page, messages[start:end]...),
		WithWatermarks: s.watermarks[conversation][q.With],
	}, nil
}

// Ack implements core.ReceiptStore.
func (s *Store) Ack(_ context.Context, a core.Ack) (core.AckResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conversation := newConversationKey(a.Member, a.With)
	messages := s.conversations[conversation]
	at, found := slices.BinarySearchFunc(messages, a.UpTo, compareID)
	if !found {
		return core.AckResult{}, core.ErrNotInConversation
	}
	marks := s.watermarks[conversation]
	if marks == nil {
		marks = map[string]core.Watermarks{}
		s.watermarks[conversation] = marks
	}
	before := marks[a.Member]
	after := before.Advance(a.UpTo, a.Read)
	result := core.AckResult{Watermarks: after, Moved: after != before}
	marks[a.Member] = after
	key := contactKey{a.Member, a.With}
	if contact, ok := s.contacts[key]; ok && after.Read != before.Read {
		contact.Unread = 0
		for _, m := range messages[at+1:] {
			if m.Sender == a.With && m.ID > after.Read {
				contact.Unread++
			}
		}
		s.contacts[key] = contact
		result.Contact = &contact
	}
	return result, nil
}

// AddConnection implements core.ConnectionStore.
func (s *Store) AddConnection(_ context.Context, c core.Connection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.connections[c.ID] = c
	return nil
}

// Connection implements core.ConnectionStore.
func (s *Store) Connection(_ context.Context, id string, now time.Time) (core.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connections[id]
	if !ok || !c.ExpiresAt.After(now) {
		return core.Connection{}, core.ErrNoSuchConnection
	}
	return c, nil
}

// Connections implements core.ConnectionStore. It forgets the expired
// connections it passes, as DynamoDB's TTL would.
func (s *Store) Connections(_ context.Context, user string, now time.Time) ([]core.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	connections := []core.Connection{}
	for id, c := range s.connections {
		switch {
		case c.User != user:
		case !c.ExpiresAt.After(now):
			delete(s.connections, id)
		default:
			connections = append(connections, c)
		}
	}
	return connections, nil
}

// RemoveConnection implements core.ConnectionStore.
func (s *Store) RemoveConnection(_ context.Context, c core.Connection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if stored, ok := s.connections[c.ID]; ok && stored.User == c.User {
		delete(s.connections, c.ID)
	}
	return nil
}

// messages is Messages for a caller that holds s.mu.
func (s *Store) messages(a, b, before string, limit int) []core.Message {
	messages := s.conversations[newConversationKey(a, b)]
	end := len(messages)
	if before != "" {
		end, _ = slices.BinarySearchFunc(messages, before, func(stored core.Message, id string) int { return cmp.Compare(stored.ID, id) })
	}
	page := make([]core.Message, 0, min(limit, end))
	return append(page, messages[max(0, end-limit):end]...)
}
