package memory

import (
	"context"
	"slices"

	"github.com/parley-chat/parley/core"
)

// Receipts implements core.ReceiptStore.
func (s *Store) Receipts(_ context.Context, member, with string) (core.Receipts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return core.Receipts{Watermarks: s.watermarks[newConversationKey(member, with)][member]}, nil
}

// Ack implements core.ReceiptStore. It holds the lock throughout, so it reads
// the watermarks again rather than trust a.Seen, and counts as the DynamoDB
// store does, at most a.Limit() messages each way, so both keep the same
// Unread.
func (s *Store) Ack(_ context.Context, a core.Ack) (core.AckResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conversation := newConversationKey(a.Member, a.With)
	before := s.watermarks[conversation][a.Member]
	after := before.Advance(a.UpTo, a.Read)
	if after == before {
		return core.AckResult{Watermarks: before}, nil
	}
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
	marks[a.Member] = after
	result := core.AckResult{Watermarks: after, Moved: true}
	key := contactKey{a.Member, a.With}
	if contact, ok := s.contacts[key]; ok && after.Read != before.Read {
		ahead := countUnread(messages[at+1:], a.Limit(), func(m core.Message) bool { return a.LeavesUnread(m.ID, m.Sender, m.Deleted) })
		from, _ := slices.BinarySearchFunc(messages, before.Read, compareID)
		if from < len(messages) && messages[from].ID == before.Read {
			from++
		}
		passed := countUnread(messages[from:at+1], a.Limit(), func(m core.Message) bool { return a.Passes(m.ID, m.Sender, before.Read, m.Deleted) })
		contact.Unread = a.Unread(ahead, passed, contact.Unread)
		s.contacts[key] = contact
		result.Contact = &contact
	}
	return result, nil
}

// countUnread counts the messages that count says to, reading at most limit
// of them, as a bounded Query would.
func countUnread(messages []core.Message, limit int, count func(core.Message) bool) core.UnreadCount {
	n := core.UnreadCount{Complete: len(messages) <= limit}
	for _, m := range messages[:min(len(messages), limit)] {
		if count(m) {
			n.Count++
		}
	}
	return n
}
