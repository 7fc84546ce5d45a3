package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// testClientIDWindow: a clientId makes retries idempotent for
// core.ClientIDWindow, then it is forgotten, the same in every store.
func testClientIDWindow(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("RetryWithinTheWindowStoresOneAfterItAnother", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		alice, bob := f.Email("alice"), f.Email("bob")
		f.MustAddContact(t, alice, bob)
		send := func() (core.Message, bool) {
			t.Helper()
			m, created, err := f.Service.AddMessage(ctx, f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi", ClientID: "k1"})
			require.NoError(t, err)
			return m, created
		}
		first, created := send()
		require.True(t, created)
		f.Advance(core.ClientIDWindow - time.Second)
		again, created := send()
		assert.False(t, created, "a retry just inside the window")
		assert.Equal(t, first, again)
		f.Advance(time.Second)
		later, created := send()
		assert.True(t, created, "the clientId is forgotten once the window has passed")
		assert.NotEqual(t, first.ID, later.ID)
		retry, created := send()
		assert.False(t, created, "and protects the new message from then on")
		assert.Equal(t, later, retry)
		assert.Len(t, f.MustConversation(t, alice, bob), 2)
	})
}
