package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestKnownConnections(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	conn := func(id string, lifetime time.Duration) Connection {
		return Connection{ID: id, User: id + "@example.com", ExpiresAt: now.Add(lifetime)}
	}
	for _, tc := range []struct {
		name   string
		do     func(k *knownConnections)
		known  []string
		absent []string
	}{
		{"RemembersUpToItsSize", func(k *knownConnections) {
			k.remember(conn("a", time.Hour))
			k.remember(conn("b", time.Hour))
		}, []string{"a", "b"}, nil},
		{"TheFirstRememberedGoesWhenFull", func(k *knownConnections) {
			k.remember(conn("a", time.Hour))
			k.remember(conn("b", time.Hour))
			k.remember(conn("c", time.Hour))
		}, []string{"b", "c"}, []string{"a"}},
		{"RememberingAgainKeepsItsPlace", func(k *knownConnections) {
			k.remember(conn("a", time.Hour))
			k.remember(conn("b", time.Hour))
			k.remember(conn("a", 2*time.Hour))
			k.remember(conn("c", time.Hour))
		}, []string{"b", "c"}, []string{"a"}},
		{"ForgottenMakesRoom", func(k *knownConnections) {
			k.remember(conn("a", time.Hour))
			k.remember(conn("b", time.Hour))
			k.forget("a", "never-known")
			k.remember(conn("c", time.Hour))
		}, []string{"b", "c"}, []string{"a"}},
		{"AnExpiredOneIsNotKnown", func(k *knownConnections) {
			k.remember(conn("a", 0))
			k.remember(conn("b", -time.Minute))
		}, nil, []string{"a", "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKnownConnections(2)
			tc.do(k)
			for _, id := range tc.known {
				c, ok := k.get(id, now)
				assert.True(t, ok, id)
				assert.Equal(t, id+"@example.com", c.User)
			}
			for _, id := range tc.absent {
				_, ok := k.get(id, now)
				assert.False(t, ok, id)
			}
			assert.LessOrEqual(t, k.fifo.Len(), 2)
			assert.Len(t, k.byID, k.fifo.Len())
		})
	}

	t.Run("NilRemembersNothing", func(t *testing.T) {
		var k *knownConnections
		k.remember(conn("a", time.Hour))
		k.forget("a")
		_, ok := k.get("a", now)
		assert.False(t, ok)
	})
}
