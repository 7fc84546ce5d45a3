package webpush_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/adapters/webpush"
	"github.com/parley-chat/parley/core"
)

// failingStore fails the reads of one recipient's subscriptions.
type failingStore struct {
	core.Store
	failFor string
}

func (s failingStore) PushSubscriptions(ctx context.Context, user string, now time.Time) ([]core.PushSubscription, error) {
	if user == s.failFor {
		return nil, core.Errorf(core.EUNAVAILABLE, "down")
	}
	return s.Store.PushSubscriptions(ctx, user, now)
}

func image(m core.Message) map[string]events.DynamoDBAttributeValue {
	return map[string]events.DynamoDBAttributeValue{
		"pk": events.NewStringAttribute("CONV#" + m.Recipient + "#" + m.Sender), "sk": events.NewStringAttribute("MSG#" + m.ID),
		"id": events.NewStringAttribute(m.ID), "sender": events.NewStringAttribute(m.Sender), "recipient": events.NewStringAttribute(m.Recipient),
		"text": events.NewStringAttribute(m.Text), "date": events.NewStringAttribute(m.Date.Format("2006-01-02T15:04:05.000000000Z")),
	}
}

func TestStreamHandler(t *testing.T) {
	store := memory.New()
	f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
	alice, bob, carol := f.Email("alice"), f.Email("bob"), f.Email("carol")
	f.MustAddContact(t, alice, bob)
	f.MustAddContact(t, alice, carol)
	bobs, carols := f.MustSubscribe(t, bob), f.MustSubscribe(t, carol)
	toBob, toCarol, again := f.MustSend(t, alice, bob, "one"), f.MustSend(t, alice, carol, "two"), f.MustSend(t, alice, bob, "three")
	pusher := storetest.NewRecordingWebPusher()
	notifier := core.NewNotifier(failingStore{Store: store, failFor: carol}, pusher, f.Now, nil)
	handler := webpush.NewStreamHandler(notifier, dynamodb.MessageOfStreamImage, dynamodb.ConversationReadOfStreamImages, slog.New(slog.NewJSONHandler(io.Discard, nil)))

	record := func(seq string, m core.Message) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: seq, NewImage: image(m)}}
	}
	contact := func(unread string) map[string]events.DynamoDBAttributeValue {
		return map[string]events.DynamoDBAttributeValue{
			"pk": events.NewStringAttribute("USER#" + bob), "sk": events.NewStringAttribute("CONTACT#" + alice),
			"owner": events.NewStringAttribute(bob), "email": events.NewStringAttribute(alice), "unread": events.NewNumberAttribute(unread),
		}
	}
	contactChange := func(seq, before, after string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{SequenceNumber: seq, OldImage: contact(before), NewImage: contact(after)}}
	}
	response, err := handler.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		contactChange("0", "0", "0"), record("1", toBob), contactChange("1a", "2", "0"), record("2", toCarol), record("3", again),
	}})
	require.NoError(t, err)
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "2"}}, response.BatchItemFailures,
		"the batch stops at the message whose reads failed, to be retried from there")
	require.Len(t, pusher.To(bobs.Endpoint), 2, "the message, then the read; nothing for a contact that had nothing unread")
	assert.Equal(t, "one", pusher.To(bobs.Endpoint)[0].Text)
	assert.Equal(t, core.Notification{Type: core.NotifyRead, With: alice, Tag: "conv:" + alice}, pusher.To(bobs.Endpoint)[1])
	assert.Empty(t, pusher.To(carols.Endpoint))
}

func TestStreamHandlerCorrectsTheNotificationOfAnUnsentMessage(t *testing.T) {
	store := memory.New()
	f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
	alice, bob := f.Email("alice"), f.Email("bob")
	f.MustAddEachOther(t, alice, bob)
	phone := f.MustSubscribe(t, bob)
	one := f.MustSend(t, alice, bob, "one")
	f.MustSend(t, alice, bob, "two")
	_, err := f.Service.DeleteMessage(context.Background(), f.Caller(t, alice), core.DeleteMessageInput{With: bob, ID: one.ID})
	require.NoError(t, err)
	pusher := storetest.NewRecordingWebPusher()
	handler := webpush.NewStreamHandler(core.NewNotifier(store, pusher, f.Now, nil), dynamodb.MessageOfStreamImage, dynamodb.ConversationReadOfStreamImages, slog.New(slog.NewJSONHandler(io.Discard, nil)))

	erased := image(one.Erased())
	erased["deleted"] = events.NewBooleanAttribute(true)
	response, err := handler.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{SequenceNumber: "1", OldImage: image(one), NewImage: image(one)}},
		{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "2", NewImage: erased}},
		{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{SequenceNumber: "3", OldImage: image(one), NewImage: erased}},
	}})
	require.NoError(t, err)
	assert.Empty(t, response.BatchItemFailures)
	assert.Equal(t, []core.Notification{{
		Type: core.NotifyUnsent, With: alice, Name: "Name of " + alice, Text: "two", Unread: 1, Tag: "conv:" + alice,
	}}, pusher.To(phone.Endpoint), "only the message's erasing is told, and with the text left")
}
