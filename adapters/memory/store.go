// Package memory is an in-memory Parley store: the store of `make run` and of
// tests. It keeps everything in maps behind one mutex, which makes each method
// one atomic step, just as each DynamoDB call is one conditional write.
package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"

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
}

// New returns an empty store.
func New() *Store {
	return &Store{
		contacts:      map[contactKey]core.Contact{},
		conversations: map[conversationKey][]core.Message{},
		sentByClient:  map[clientKey]core.Message{},
		reports:       map[string][]core.Report{},
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
		return core.Contact{}, core.Errorf(core.ENOTFOUND, "%s is not one of your contacts.", email)
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
		return core.Contact{}, core.Errorf(core.ENOTFOUND, "%s is not one of your contacts.", r.Reported)
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
func (s *Store) AddMessage(_ context.Context, m core.Message, request core.Contact) (core.Message, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ClientID != "" {
		if sent, ok := s.sentByClient[clientKey{m.Sender, m.Recipient, m.ClientID}]; ok && m.Date.Before(sent.Date.Add(core.ClientIDWindow)) {
			return sent, false, nil
		}
	}
	senderKey, recipientKey := contactKey{m.Sender, m.Recipient}, contactKey{m.Recipient, m.Sender}
	senderContact, ok := s.contacts[senderKey]
	if !ok {
		return core.Message{}, false, core.Errorf(core.ENOTFOUND, "%s is not one of your contacts.", m.Recipient)
	}
	if senderContact.Blocked {
		return core.Message{}, false, core.Errorf(core.EBLOCKED, "You blocked %s. Unblock them to send messages.", m.Recipient)
	}
	recipientContact, ok := s.contacts[recipientKey]
	if !ok {
		recipientContact = request
	}
	if recipientContact.Blocked {
		return core.Message{}, false, core.Errorf(core.EBLOCKED, "%s does not accept your messages.", m.Recipient)
	}

	conversation := newConversationKey(m.Sender, m.Recipient)
	messages := s.conversations[conversation]
	at, _ := slices.BinarySearchFunc(messages, m.ID, func(stored core.Message, id string) int { return cmp.Compare(stored.ID, id) })
	s.conversations[conversation] = slices.Insert(messages, at, m)
	if m.ClientID != "" {
		s.sentByClient[clientKey{m.Sender, m.Recipient, m.ClientID}] = m
	}
	senderPreview, recipientPreview := m.Preview(), m.Preview()
	senderContact.LastActivity, senderContact.LastMessage = m.Date, &senderPreview
	recipientContact.LastActivity, recipientContact.LastMessage = m.Date, &recipientPreview
	s.contacts[senderKey], s.contacts[recipientKey] = senderContact, recipientContact
	return m, true, nil
}

// Messages implements core.MessageStore.
func (s *Store) Messages(_ context.Context, a, b, before string, limit int) ([]core.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messages(a, b, before, limit), nil
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
