package memory

import (
	"context"
	"slices"

	"github.com/parley-chat/parley/core"
)

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
			if a.LeavesUnread(m.ID, m.Sender) {
				contact.Unread++
			}
		}
		s.contacts[key] = contact
		result.Contact = &contact
	}
	return result, nil
}
