package memory

import (
	"context"
	"time"

	"github.com/parley-chat/parley/core"
)

// AddConnection implements core.ConnectionStore.
func (s *Store) AddConnection(_ context.Context, c core.Connection, max int) ([]core.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var held []core.Connection
	for _, other := range s.connections {
		if other.User == c.User && other.ID != c.ID && other.ExpiresAt.After(c.ConnectedAt) {
			held = append(held, other)
		}
	}
	evicted := core.Evict(held, max)
	for _, gone := range evicted {
		delete(s.connections, gone.ID)
	}
	s.connections[c.ID] = c
	return evicted, nil
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
