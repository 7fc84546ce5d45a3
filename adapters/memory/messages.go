package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/parley-chat/parley/core"
)

// AddMessage implements core.MessageStore, checking in the order DynamoDB's
// store reads its cancellation reasons: a retried ClientID, the charge, the
// sender's contact, the recipient's, the conversation's order.
func (s *Store) AddMessage(_ context.Context, m, preview core.Message, request core.Contact, charge *core.Charge) (core.SentMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ClientID != "" {
		if sent, ok := s.sentByClient[clientKey{m.Sender, m.Recipient, m.ClientID}]; ok && m.Date.Before(sent.Date.Add(core.ClientIDWindow)) {
			return core.SentMessage{Message: sent}, nil
		}
	}
	var fullAt time.Time
	if charge != nil {
		var err error
		if fullAt, err = s.take(*charge); err != nil {
			return core.SentMessage{}, err
		}
	}
	senderKey, recipientKey := contactKey{m.Sender, m.Recipient}, contactKey{m.Recipient, m.Sender}
	senderContact, ok := s.contacts[senderKey]
	if !ok {
		return core.SentMessage{}, core.ErrNotAContact(m.Recipient)
	}
	if senderContact.Deleted {
		return core.SentMessage{}, core.ErrRecipientDeleted(m.Recipient)
	}
	if senderContact.Blocked {
		return core.SentMessage{}, core.ErrYouBlocked(m.Recipient)
	}
	recipientContact, known := s.contacts[recipientKey]
	if !known && s.deletionUnderWay(m.Recipient) {
		return core.SentMessage{}, core.ErrRecipientDeleted(m.Recipient)
	}
	if !known {
		recipientContact = request
	}
	if recipientContact.Blocked {
		return core.SentMessage{}, core.ErrBlockedByRecipient(m.Recipient)
	}

	conversation := newConversationKey(m.Sender, m.Recipient)
	messages := s.conversations[conversation]
	if n := len(messages); n > 0 && messages[n-1].ID >= m.ID {
		return core.SentMessage{}, &core.OutOfOrderError{Newest: messages[n-1].Date}
	}
	s.conversations[conversation] = append(messages, m)
	if charge != nil {
		s.budgets[charge.Limit.BucketOf(charge.Sender)] = fullAt
	}
	if m.ClientID != "" {
		s.sentByClient[clientKey{m.Sender, m.Recipient, m.ClientID}] = m
	}
	senderPreview, recipientPreview := preview, preview
	senderContact.LastActivity, senderContact.LastMessage = m.Date, &senderPreview
	recipientContact.LastActivity, recipientContact.LastMessage = m.Date, &recipientPreview
	recipientContact.Unread++
	// The recipient writes again from an address whose account was deleted:
	// someone who signed up with it since.
	recipientContact.Deleted = false
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

// DeleteMessage implements core.MessageEraser.
func (s *Store) DeleteMessage(_ context.Context, u core.Unsend) (core.UnsentMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conversation := newConversationKey(u.Sender, u.Recipient)
	messages := s.conversations[conversation]
	at, found := slices.BinarySearchFunc(messages, u.ID, compareID)
	if !found || messages[at].Sender != u.Sender {
		return core.UnsentMessage{}, core.ErrNoMessage(u.ID)
	}
	if messages[at].Deleted {
		return core.UnsentMessage{Message: messages[at]}, nil
	}
	s.keepEvidence(u)
	erased := messages[at].Erased()
	messages[at] = erased
	if erased.ClientID != "" {
		client := clientKey{u.Sender, u.Recipient, erased.ClientID}
		if kept, ok := s.sentByClient[client]; ok && kept.ID == erased.ID {
			s.sentByClient[client] = erased
		}
	}
	unsent := core.UnsentMessage{Message: erased, Erased: true}
	for _, owner := range []string{u.Sender, u.Recipient} {
		other := u.Recipient
		if owner == u.Recipient {
			other = u.Sender
		}
		key := contactKey{owner, other}
		contact, ok := s.contacts[key]
		if !ok {
			continue
		}
		if contact, changed := core.UnsentFromContact(contact, erased, s.watermarks[conversation][owner].Read); changed {
			s.contacts[key] = contact
			unsent.Contacts = append(unsent.Contacts, contact)
		}
	}
	return unsent, nil
}
