package memory

import (
	"context"
	"time"

	"github.com/parley-chat/parley/core"
)

// Spend implements core.SendBudget.
func (s *Store) Spend(_ context.Context, charge core.Charge) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next, err := s.take(charge)
	if err != nil {
		return err
	}
	s.budgets[charge.Limit.BucketOf(charge.Sender)] = next
	return nil
}

// take returns the bucket of charge's sender once charge is taken, or why it
// cannot be, for a caller that holds s.mu and keeps the bucket if it writes.
func (s *Store) take(charge core.Charge) (time.Time, error) {
	if charge.RefusedBy(s.tombstones[charge.Sender]) {
		return time.Time{}, core.ErrAccountDeleted()
	}
	if suspension, ok := s.suspensions[charge.Sender]; ok {
		return time.Time{}, core.SuspendedError(suspension)
	}
	next, wait, ok := charge.Limit.Take(s.budgets[charge.Limit.BucketOf(charge.Sender)], charge.Now)
	if !ok {
		return time.Time{}, core.ThrottledError(wait)
	}
	return next, nil
}

// Refund implements core.SendBudget.
func (s *Store) Refund(_ context.Context, sender string, limit core.SendLimit, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fullAt, ok := s.budgets[limit.BucketOf(sender)]; ok {
		s.budgets[limit.BucketOf(sender)] = limit.Give(fullAt, now)
	}
	return nil
}
