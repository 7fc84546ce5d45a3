package memory

import (
	"context"
	"time"

	"github.com/parley-chat/parley/core"
)

// Spend implements core.SendBudget.
func (s *Store) Spend(_ context.Context, sender string, limit core.SendLimit, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if suspension, ok := s.suspensions[sender]; ok {
		return core.SuspendedError(suspension)
	}
	next, wait, ok := limit.Take(s.budgets[sender], now)
	if !ok {
		return core.ThrottledError(wait)
	}
	s.budgets[sender] = next
	return nil
}

// Refund implements core.SendBudget.
func (s *Store) Refund(_ context.Context, sender string, limit core.SendLimit, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fullAt, ok := s.budgets[sender]; ok {
		s.budgets[sender] = limit.Give(fullAt, now)
	}
	return nil
}
