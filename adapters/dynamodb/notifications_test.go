package dynamodb_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

// TestNotifyRequests counts what the notify Lambda asks of DynamoDB for one
// message to a recipient with two devices, one of them gone: a Query of the
// subscriptions, then the connections and both contacts at once, and the
// removal of the gone one; and proves local.notify_dynamodb_actions of
// terraform/notifications.tf is exactly that.
func TestNotifyRequests(t *testing.T) {
	store, counter := newCountedStore(t)
	f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
	alice, bob := f.Email("alice"), f.Email("bob")
	f.MustAddEachOther(t, alice, bob)
	f.MustConnect(t, bob)
	phone, laptop := f.MustSubscribe(t, bob), f.MustSubscribe(t, bob)
	message := f.MustSend(t, alice, bob, "hi")
	pusher := storetest.NewRecordingWebPusher()
	pusher.MarkGone(laptop.Endpoint)
	notifier := core.NewNotifier(store, pusher, f.Now, nil)
	counter.Reset()

	report, err := notifier.Notify(context.Background(), message)
	require.NoError(t, err)
	assert.Equal(t, core.NotifyReport{Delivered: 1, Gone: 1}, report)
	assert.Len(t, pusher.To(phone.Endpoint), 1)
	assert.Equal(t, map[string]int{"Query": 2, "GetItem": 2, "BatchWriteItem": 1}, counter.Counts())
	assert.ElementsMatch(t, terraformStrings(t, "notifications.tf", "notify_dynamodb_actions"), slices.Compact(slices.Sorted(slices.Values(counter.Actions()))))
}

func TestMessageOfStreamImage(t *testing.T) {
	image := map[string]string{
		"pk": "CONV#alice@example.com#bob@example.com", "sk": "MSG#01JABC", "id": "01JABC",
		"sender": "alice@example.com", "recipient": "bob@example.com", "text": "hi", "date": "2026-12-02T03:04:05.678Z",
	}
	m, ok := dynamostore.MessageOfStreamImage(image)
	require.True(t, ok)
	assert.Equal(t, "01JABC", m.ID)
	assert.Equal(t, "alice@example.com", m.Sender)
	assert.Equal(t, "bob@example.com", m.Recipient)
	assert.Equal(t, "hi", m.Text)
	assert.False(t, m.Deleted)

	image["deleted"], image["text"] = "true", ""
	unsent, ok := dynamostore.MessageOfStreamImage(image)
	require.True(t, ok)
	assert.True(t, unsent.Deleted, "an unsent message's image says it is erased")
	assert.Empty(t, unsent.Text)
	image["deleted"], image["text"] = "false", "hi"

	for name, edit := range map[string]func(map[string]string){
		"AnIdempotencyMarker": func(i map[string]string) { i["sk"] = "CLIENT#alice@example.com#c1" },
		"AContact":            func(i map[string]string) { i["pk"] = "USER#bob@example.com" },
		"NoSender":            func(i map[string]string) { delete(i, "sender") },
	} {
		t.Run(name, func(t *testing.T) {
			other := map[string]string{}
			for k, v := range image {
				other[k] = v
			}
			edit(other)
			_, ok := dynamostore.MessageOfStreamImage(other)
			assert.False(t, ok)
		})
	}
}

func TestConversationReadOfStreamImages(t *testing.T) {
	contact := func(unread string) map[string]string {
		return map[string]string{"pk": "USER#bob@example.com", "sk": "CONTACT#alice@example.com", "owner": "bob@example.com", "email": "alice@example.com", "unread": unread}
	}
	r, ok := dynamostore.ConversationReadOfStreamImages(contact("3"), contact("0"))
	require.True(t, ok)
	assert.Equal(t, core.ConversationRead{Member: "bob@example.com", With: "alice@example.com"}, r)

	for name, images := range map[string][2]map[string]string{
		"NothingWasUnread":    {contact("0"), contact("0")},
		"StillUnread":         {contact("3"), contact("1")},
		"ANewContact":         {{}, contact("0")},
		"AMessageNotAContact": {contact("1"), {"pk": "CONV#a#b", "sk": "MSG#01", "unread": "0"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, ok := dynamostore.ConversationReadOfStreamImages(images[0], images[1])
			assert.False(t, ok)
		})
	}
}
