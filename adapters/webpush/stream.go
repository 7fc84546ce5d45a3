package webpush

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// StreamHandler is the notify Lambda: it receives batches of the table
// stream's records of new messages, of messages unsent and of contacts whose
// unread count fell to 0 (the event source mapping's filters let nothing
// else through), and notifies each new message's recipient, corrects the
// notification an unsent message may still show on its recipient's devices,
// or clears the read conversation's notification on each device of its
// reader.
type StreamHandler struct {
	notifier *core.Notifier
	// messageOf reads the message of a record's new image (the store's item
	// design), false for any other item.
	messageOf func(image map[string]string) (core.Message, bool)
	// readOf reads the conversation a contact's change left read from the
	// record's old and new images, false for any other change.
	readOf func(old, new map[string]string) (core.ConversationRead, bool)
	logger *slog.Logger
}

// NewStreamHandler returns the handler that notifies through notifier.
func NewStreamHandler(notifier *core.Notifier, messageOf func(map[string]string) (core.Message, bool), readOf func(old, new map[string]string) (core.ConversationRead, bool), logger *slog.Logger) *StreamHandler {
	return &StreamHandler{notifier: notifier, messageOf: messageOf, readOf: readOf, logger: logger}
}

// Handle notifies the recipient of each message of event, and the reader of
// each conversation read, in order. The first record whose reads failed
// reports itself as failed and ends the batch, so Lambda retries from there;
// a push service's failure does not (it was retried already, and the
// message is stored and shown in the app).
func (h *StreamHandler) Handle(ctx context.Context, event events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var response events.DynamoDBEventResponse
	for _, record := range event.Records {
		what, report, err := h.notifyRecord(ctx, record)
		if what == nil {
			h.logger.WarnContext(ctx, "stream record is neither a new message, an unsent one nor a read", "event_id", record.EventID)
			continue
		}
		LogNotified(ctx, h.logger, what, report, err)
		if err != nil {
			response.BatchItemFailures = append(response.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: record.Change.SequenceNumber})
			return response, nil
		}
	}
	return response, nil
}

// LogNotified logs what became of the notifying of what (attributes that
// name it: a message's ID, a read): "notified" with its report, or "notify
// failed" with err. The notify Lambda and the local server's queue log alike.
func LogNotified(ctx context.Context, logger *slog.Logger, what []any, report core.NotifyReport, err error) {
	if err != nil {
		logger.ErrorContext(ctx, "notify failed", append(what, "error", err.Error())...)
		return
	}
	logger.InfoContext(ctx, "notified", append(what, "skipped", report.Skipped,
		"delivered", report.Delivered, "gone", report.Gone, "failed", report.Failed)...)
}

// notifyRecord notifies what record says: a message inserted, a message
// erased (unsent), or a contact left read. what names it for the log, nil
// when the record is none of them.
func (h *StreamHandler) notifyRecord(ctx context.Context, record events.DynamoDBEventRecord) (what []any, _ core.NotifyReport, _ error) {
	newImage := stringsOf(record.Change.NewImage)
	if m, ok := h.messageOf(newImage); ok {
		switch {
		case record.EventName == "INSERT" && !m.Deleted:
			report, err := h.notifier.Notify(ctx, m)
			return []any{"message_id", m.ID}, report, err
		case record.EventName == "MODIFY" && m.Deleted:
			report, err := h.notifier.NotifyUnsent(ctx, m)
			return []any{"unsent_id", m.ID}, report, err
		}
		return nil, core.NotifyReport{}, nil
	}
	if r, ok := h.readOf(stringsOf(record.Change.OldImage), newImage); ok {
		report, err := h.notifier.NotifyRead(ctx, r)
		return []any{"read", true}, report, err
	}
	return nil, core.NotifyReport{}, nil
}

// stringsOf is the string, number and boolean attributes of an image, each
// as its string ("true", "false" for a boolean).
func stringsOf(image map[string]events.DynamoDBAttributeValue) map[string]string {
	out := make(map[string]string, len(image))
	for name, v := range image {
		switch v.DataType() {
		case events.DataTypeString:
			out[name] = v.String()
		case events.DataTypeNumber:
			out[name] = v.Number()
		case events.DataTypeBoolean:
			out[name] = strconv.FormatBool(v.Boolean())
		}
	}
	return out
}
