package exportdoc_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/exportdoc"
	"github.com/parley-chat/parley/core"
)

func TestDocument(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		write func(w core.ExportWriter)
		want  string
	}{
		{"Empty", func(w core.ExportWriter) {
			require.NoError(t, w.Account(core.AccountState{Email: "a@example.com"}))
		}, `{"format":"parley-export/1","account":{"email":"a@example.com","sendBudget":{"fullAt":null},"suspension":null},
			"contacts":[],"conversations":[],"reports":[],"channels":[],"devices":[]}`},
		{"Everything", func(w core.ExportWriter) {
			require.NoError(t, w.Account(core.AccountState{Email: "a@example.com", SendBucketFullAt: at, Suspension: &core.Suspension{Reason: "spam", Date: at}}))
			require.NoError(t, w.Contact(core.Contact{ID: "c1", Email: "b@example.com", Name: "B", CreatedAt: at, LastActivity: at, Unread: 1}))
			require.NoError(t, w.Conversation("b@example.com"))
			require.NoError(t, w.Message(core.Message{ID: "m1", Sender: "a@example.com", Recipient: "b@example.com", Text: "hi <b>", Date: at, Status: core.StatusRead}))
			require.NoError(t, w.Message(core.Message{ID: "m2", Sender: "b@example.com", Recipient: "a@example.com", Date: at, Deleted: true}))
			require.NoError(t, w.Conversation("c@example.com"))
			require.NoError(t, w.Report(core.Report{ID: "r1", Reported: "b@example.com", Text: "rude", Date: at}))
			require.NoError(t, w.Channel(core.Channel{ID: "finals", Owner: "a@example.com", Title: "Finals", CreatedAt: at}))
			require.NoError(t, w.Post(core.Post{ID: "p2", Channel: "finals", Author: "a@example.com", AuthorName: "Host", Text: "goal", Date: at, ClientID: "k2"}))
			require.NoError(t, w.Post(core.Post{ID: "p1", Channel: "finals", Author: "a@example.com", AuthorName: "Host", Text: "kick-off", Date: at}))
			require.NoError(t, w.Channel(core.Channel{ID: "quiet", Owner: "a@example.com", Title: "Quiet", CreatedAt: at}))
			require.NoError(t, w.Device(core.Device{Endpoint: "https://push.example/1", Created: at}))
		}, `{"format":"parley-export/1",
			"account":{"email":"a@example.com","sendBudget":{"fullAt":"2026-12-01T10:00:00.000Z"},"suspension":{"reason":"spam","date":"2026-12-01T10:00:00.000Z"}},
			"contacts":[{"id":"c1","email":"b@example.com","name":"B","blocked":false,"request":false,"createdAt":"2026-12-01T10:00:00.000Z","lastActivity":"2026-12-01T10:00:00.000Z","unread":1}],
			"conversations":[
				{"with":"b@example.com","messages":[
					{"id":"m1","message":"hi <b>","date":"2026-12-01T10:00:00.000Z","sender":"a@example.com","recipient":"b@example.com","status":"read"},
					{"id":"m2","message":"","date":"2026-12-01T10:00:00.000Z","sender":"b@example.com","recipient":"a@example.com","deleted":true}]},
				{"with":"c@example.com","messages":[]}],
			"reports":[{"id":"r1","reported":"b@example.com","text":"rude","date":"2026-12-01T10:00:00.000Z"}],
			"channels":[
				{"channel":"finals","title":"Finals","createdAt":"2026-12-01T10:00:00.000Z","role":"owner","posts":[
					{"id":"p2","author":"a@example.com","authorName":"Host","message":"goal","date":"2026-12-01T10:00:00.000Z","clientId":"k2"},
					{"id":"p1","author":"a@example.com","authorName":"Host","message":"kick-off","date":"2026-12-01T10:00:00.000Z"}]},
				{"channel":"quiet","title":"Quiet","createdAt":"2026-12-01T10:00:00.000Z","role":"owner","posts":[]}],
			"devices":[{"endpoint":"https://push.example/1","created":"2026-12-01T10:00:00.000Z"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			w := exportdoc.New(&out)
			tc.write(w)
			require.NoError(t, w.Close())
			require.True(t, json.Valid(out.Bytes()), out.String())
			assert.JSONEq(t, tc.want, out.String())
		})
	}
}
