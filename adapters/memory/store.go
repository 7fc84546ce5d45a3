// Package memory is an in-memory Parley store: the store of `make run` and of
// tests. It keeps everything in maps behind one mutex, which makes each method
// one atomic step, just as each DynamoDB call is one conditional write.
package memory

import (
	"sync"
	"time"

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
	// watermarks holds each member's receipt watermarks by conversation.
	watermarks  map[conversationKey]map[string]core.Watermarks
	connections map[string]core.Connection
	feeds       *channels
	// budgets are budget.go's, suspensions moderation.go's.
	budgets     map[string]time.Time
	suspensions map[string]core.Suspension
	// subscriptions are notifications.go's: by user, then endpoint.
	subscriptions map[string]map[string]core.PushSubscription
	// tombstones are account.go's.
	tombstones map[string]core.Tombstone
}

// New returns an empty store.
func New() *Store {
	return &Store{
		contacts:      map[contactKey]core.Contact{},
		conversations: map[conversationKey][]core.Message{},
		sentByClient:  map[clientKey]core.Message{},
		reports:       map[string][]core.Report{},
		watermarks:    map[conversationKey]map[string]core.Watermarks{},
		connections:   map[string]core.Connection{},
		feeds:         newChannels(),
		budgets:       map[string]time.Time{},
		suspensions:   map[string]core.Suspension{},
		subscriptions: map[string]map[string]core.PushSubscription{},
		tombstones:    map[string]core.Tombstone{},
	}
}
