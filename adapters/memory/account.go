package memory

import (
	"context"
	"time"

	"github.com/parley-chat/parley/core"
)

var _ core.AccountStore = (*Store)(nil)

// Tombstone implements core.AccountStore. The memory store keeps
// tombstones for good: a finished one refuses only tokens that have expired
// by the time DynamoDB's TTL would delete it.
func (s *Store) Tombstone(_ context.Context, email string) (core.Tombstone, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tombstones[email], nil
}

// BeginDeletion implements core.AccountStore.
func (s *Store) BeginDeletion(_ context.Context, email string, at time.Time) (core.Tombstone, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tombstones[email]
	if !ok || !t.Finished.IsZero() {
		t = core.Tombstone{Started: at}
		s.tombstones[email] = t
	}
	return t, nil
}

// FinishDeletion implements core.AccountStore.
func (s *Store) FinishDeletion(_ context.Context, email string, at, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tombstones[email]
	t.Finished = at
	s.tombstones[email] = t
	return nil
}

// EraseAccount implements core.AccountStore in one step under the lock, so
// that nothing can slip in between its parts.
func (s *Store) EraseAccount(_ context.Context, e core.AccountErasure) (core.ErasureReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var report core.ErasureReport
	for key := range s.contacts {
		if key.owner != e.Email {
			continue
		}
		other := key.email
		if theirs, ok := s.contacts[contactKey{other, e.Email}]; ok {
			theirs.Deleted, theirs.LastMessage, theirs.Unread = true, nil, 0
			s.contacts[contactKey{other, e.Email}] = theirs
		}
		conversation := newConversationKey(e.Email, other)
		s.keepEvidence(core.Unsend{Sender: e.Email, Recipient: other})
		if messages := s.conversations[conversation]; len(messages) > 0 {
			report.Conversations++
			report.Messages += len(messages)
		}
		delete(s.conversations, conversation)
		delete(s.watermarks, conversation)
		for client := range s.sentByClient {
			if newConversationKey(client.sender, client.recipient) == conversation {
				delete(s.sentByClient, client)
			}
		}
		delete(s.contacts, key)
		report.Contacts++
	}
	for reported, reports := range s.reports {
		for i, r := range reports {
			if r.Reported == e.Email || r.Reporter == e.Email {
				s.reports[reported][i].Expires = e.ReportsExpire.Truncate(time.Second)
				report.Reports++
			}
		}
	}
	delete(s.budgets, e.Email)
	delete(s.suspensions, e.Email)
	for id, c := range s.connections {
		if c.User == e.Email {
			delete(s.connections, id)
		}
	}
	return report, nil
}

// deletionUnderWay reports whether email's account is being deleted, for a
// caller that holds s.mu.
func (s *Store) deletionUnderWay(email string) bool {
	t := s.tombstones[email]
	return !t.Started.IsZero() && t.Finished.IsZero()
}

// AccountState implements core.AccountStates.
func (s *Store) AccountState(_ context.Context, email string) (core.AccountState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := core.AccountState{Email: email, SendBucketFullAt: s.budgets[email]}
	if suspension, ok := s.suspensions[email]; ok {
		state.Suspension = &suspension
	}
	return state, nil
}
