package memory

import (
	"context"
	"time"

	"github.com/parley-chat/parley/core"
)

// AddPushSubscription implements core.NotificationStore.
func (s *Store) AddPushSubscription(_ context.Context, sub core.PushSubscription) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byEndpoint := s.subscriptions[sub.User]
	if byEndpoint == nil {
		byEndpoint = map[string]core.PushSubscription{}
		s.subscriptions[sub.User] = byEndpoint
	}
	_, replaced := byEndpoint[sub.Endpoint]
	byEndpoint[sub.Endpoint] = sub
	return !replaced, nil
}

// RemovePushSubscription implements core.NotificationStore.
func (s *Store) RemovePushSubscription(_ context.Context, user, endpoint string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subscriptions[user], endpoint)
	return nil
}

// PushSubscriptions implements core.NotificationStore. It forgets the
// expired subscriptions it passes, as DynamoDB's TTL would.
func (s *Store) PushSubscriptions(_ context.Context, user string, now time.Time) ([]core.PushSubscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	subscriptions := []core.PushSubscription{}
	for endpoint, sub := range s.subscriptions[user] {
		switch {
		case !sub.ExpiresAt.After(now):
			delete(s.subscriptions[user], endpoint)
		case len(subscriptions) < core.MaxPushSubscriptions:
			subscriptions = append(subscriptions, sub)
		}
	}
	return subscriptions, nil
}

// SetConnectionVisible implements core.NotificationStore.
func (s *Store) SetConnectionVisible(_ context.Context, c core.Connection, visible bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if stored, ok := s.connections[c.ID]; ok && stored.User == c.User {
		stored.Visible = visible
		s.connections[c.ID] = stored
	}
	return nil
}
