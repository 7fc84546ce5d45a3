package stream

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/ssm"
	"github.com/parley-chat/parley/adapters/webpush"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
)

// pushServiceTimeout bounds one request to a push service.
const pushServiceTimeout = 5 * time.Second

// NewPushSender returns the Web Push sender of keys, signing as subject.
func NewPushSender(keys webpush.Keys, subject string) *webpush.Sender {
	return webpush.New(&http.Client{Timeout: pushServiceTimeout}, keys, subject)
}

// LocalNotificationQueueSize bounds the messages the local server holds for
// notifying; workers is how many it notifies at once.
const (
	LocalNotificationQueueSize = 1024
	localNotificationWorkers   = 4
)

// LocalNotifications is what the local server adds to its service to notify
// as AWS's notify Lambda does, with keys made for this process: the push
// key route answers with its public half, and every message stored, every
// conversation an ack leaves read and every message unsent goes to a queue
// whose workers notify it, so that a send, an ack or an unsend never waits
// for a push service. Close the queue on shutdown.
func LocalNotifications(store core.Store, keys webpush.Keys, subject string, logger *slog.Logger) ([]core.Option, *webpush.Queue) {
	notifier := lambdas.NewNotifier(store, NewPushSender(keys, subject), logger, nil)
	queue := webpush.NewQueue(LocalNotificationQueueSize, localNotificationWorkers,
		func(what string) { logger.Warn("notification queue full", "dropped", what) })
	// notifyInBackground hands the notifying of what to the queue, and
	// logs what became of it as the notify Lambda does.
	notifyInBackground := func(notify func(context.Context) (core.NotifyReport, error), what ...any) {
		queue.Add(fmt.Sprintf("%v", what), func(ctx context.Context) {
			report, err := notify(ctx)
			webpush.LogNotified(ctx, logger, what, report, err)
		})
	}
	options := []core.Option{
		core.WithPushKey(keys.Public), core.WithLoopbackPushEndpoints(),
		core.WithSentMessages(func(m core.Message) {
			notifyInBackground(func(ctx context.Context) (core.NotifyReport, error) { return notifier.Notify(ctx, m) }, "message_id", m.ID)
		}),
		core.WithReadConversations(func(r core.ConversationRead) {
			notifyInBackground(func(ctx context.Context) (core.NotifyReport, error) { return notifier.NotifyRead(ctx, r) }, "read", true)
		}),
		core.WithUnsentMessages(func(m core.Message) {
			notifyInBackground(func(ctx context.Context) (core.NotifyReport, error) { return notifier.NotifyUnsent(ctx, m) }, "unsent_id", m.ID)
		}),
	}
	return options, queue
}

// StartNotify is the whole of the notify Lambda, which the table stream's
// records of new messages, of messages unsent and of contacts left read
// invoke: PARLEY_VAPID_PUBLIC_KEY_PARAMETER and
// PARLEY_VAPID_PRIVATE_KEY_PARAMETER name the SSM parameters of the key
// pair, read once at cold start (the private one is in no log, no
// environment and no Terraform state); PARLEY_VAPID_SUBJECT is the contact
// the push services are given.
func StartNotify() {
	logger := lambdas.NewLogger()
	handler, err := newNotifyHandler(context.Background(), lambdas.ConfigFromEnv(), logger)
	if err != nil {
		logger.Error("cannot start", "function", "notify", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(handler.Handle)
}

func newNotifyHandler(ctx context.Context, config lambdas.Config, logger *slog.Logger) (*webpush.StreamHandler, error) {
	store, awsConfig, err := lambdas.LoadStore(ctx, config)
	if err != nil {
		return nil, err
	}
	publicName, privateName, subject := os.Getenv("PARLEY_VAPID_PUBLIC_KEY_PARAMETER"), os.Getenv("PARLEY_VAPID_PRIVATE_KEY_PARAMETER"), os.Getenv("PARLEY_VAPID_SUBJECT")
	if publicName == "" || privateName == "" || subject == "" {
		return nil, fmt.Errorf("PARLEY_VAPID_PUBLIC_KEY_PARAMETER, PARLEY_VAPID_PRIVATE_KEY_PARAMETER and PARLEY_VAPID_SUBJECT must be set")
	}
	// Both halves at once: one round trip of the cold start, not two.
	pair, err := ssm.ReadAtColdStart(ctx, awsConfig.Region, awsConfig.Credentials, publicName, privateName)
	if err != nil {
		return nil, err
	}
	keys := webpush.Keys{Public: pair[0], Private: pair[1]}
	notifier := lambdas.NewNotifier(store, NewPushSender(keys, subject), logger, lambdas.NewMetrics("notify"))
	return webpush.NewStreamHandler(notifier, dynamodb.MessageOfStreamImage, dynamodb.ConversationReadOfStreamImages, logger), nil
}
