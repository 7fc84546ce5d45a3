package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// testIdentities proves that a store keeps apart what the service keeps
// apart, whatever the emails contain: no pair of people can read or write
// another pair's conversation because their addresses concatenate alike.
// The service refuses such addresses today (core.NormalizeEmail); the store
// must not depend on it.
func testIdentities(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("ConversationKeysNeverCollide", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		// Joined with '#' the two pairs would both be
		// "a-<run>@x.example#b#c-<run>@y.example".
		pairs := [][2]string{
			{"a-" + f.runID + "@x.example", "b#c-" + f.runID + "@y.example"},
			{"a-" + f.runID + "@x.example#b", "c-" + f.runID + "@y.example"},
			{"a-" + f.runID + "@x.example%23b", "c-" + f.runID + "@y.example"},
		}
		sent := make([]core.Message, len(pairs))
		for i, p := range pairs {
			contact := core.Contact{ID: f.NewID(), Owner: p[0], Email: p[1], Name: "B", CreatedAt: f.Now(), LastActivity: f.Now()}
			_, created, err := f.Store.CreateContact(ctx, contact)
			require.NoError(t, err)
			require.True(t, created, "pair %d has its own contact", i)
			request := core.Contact{ID: f.NewID(), Owner: p[1], Email: p[0], Name: "A", Request: true, CreatedAt: f.Now(), LastActivity: f.Now()}
			m := core.Message{ID: f.NewID(), Sender: p[0], Recipient: p[1], Text: "to pair " + p[1], Date: f.Now(), ClientID: "same-client-id"}
			stored, err := f.Store.AddMessage(ctx, m, m.Preview(), request, nil)
			require.NoError(t, err)
			assert.True(t, stored.Created, "pair %d: the same clientId in another conversation is another message", i)
			sent[i] = stored.Message
		}
		for i, p := range pairs {
			assert.Equal(t, []core.Message{sent[i]}, f.MustConversation(t, p[0], p[1]), "pair %d reads only its own conversation", i)
		}
	})

	t.Run("ReportsAboutOnePersonStayTheirs", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		reporter := "r-" + f.runID + "@x.example"
		reported := []string{"p-" + f.runID + "@q.example#r", "p-" + f.runID + "@q.example"}
		for _, email := range reported {
			contact := core.Contact{ID: f.NewID(), Owner: reporter, Email: email, Name: "P", CreatedAt: f.Now(), LastActivity: f.Now()}
			_, _, err := f.Store.CreateContact(ctx, contact)
			require.NoError(t, err)
			_, err = f.Store.ReportContact(ctx, core.Report{ID: f.NewID(), Reporter: reporter, Reported: email, Text: "about " + email, Date: f.Now(), Evidence: []core.Message{}})
			require.NoError(t, err)
		}
		for _, email := range reported {
			reports, err := f.Store.Reports(ctx, email)
			require.NoError(t, err)
			if assert.Len(t, reports, 1, email) {
				assert.Equal(t, "about "+email, reports[0].Text)
			}
		}
	})
}
