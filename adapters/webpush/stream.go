package webpush

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// StreamHandler is the notify Lambda: it receives batches of the table
// stream's records of new messages (the event source mapping's filter lets
// nothing else through) and notifies each message's recipient.
type StreamHandler struct {
	notifier *core.Notifier
	// messageOf reads the message of a record's new image (the store's item
	// design), false for any other item.
	messageOf func(image map[string]string) (core.Message, bool)
	logger    *slog.Logger
}

// NewStreamHandler returns the handler that notifies through notifier.
func NewStreamHandler(notifier *core.Notifier, messageOf func(map[string]string) (core.Message, bool), logger *slog.Logger) *StreamHandler {
	return &StreamHandler{notifier: notifier, messageOf: messageOf, logger: logger}
}

// Handle notifies the recipient of each message of event, in order. The
// first message whose reads failed reports its record as failed and ends the
// batch, so Lambda retries from there; a push service's failure does not (it
// was retried already, and the message is stored and shown in the app).
func (h *StreamHandler) Handle(ctx context.Context, event events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var response events.DynamoDBEventResponse
	for _, record := range event.Records {
		m, ok := h.messageOf(stringsOf(record.Change.NewImage))
		if !ok {
			h.logger.WarnContext(ctx, "stream record is not a new message", "event_id", record.EventID)
			continue
		}
		report, err := h.notifier.Notify(ctx, m)
		if err != nil {
			h.logger.ErrorContext(ctx, "notify failed", "message_id", m.ID, "error", err.Error())
			response.BatchItemFailures = append(response.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: record.Change.SequenceNumber})
			return response, nil
		}
		h.logger.InfoContext(ctx, "notified", "message_id", m.ID, "skipped", report.Skipped,
			"delivered", report.Delivered, "gone", report.Gone, "failed", report.Failed)
	}
	return response, nil
}

// stringsOf is the string attributes of an image.
func stringsOf(image map[string]events.DynamoDBAttributeValue) map[string]string {
	out := make(map[string]string, len(image))
	for name, v := range image {
		if v.DataType() == events.DataTypeString {
			out[name] = v.String()
		}
	}
	return out
}
