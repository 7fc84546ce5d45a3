package feed

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/core"
)

// StreamHandler is the feed Lambda: it receives batches of the table
// stream's records of posts (the event source mapping's filter lets nothing
// else through) and publishes, once per batch, the snapshot of every channel
// they touch. A snapshot is rebuilt from the table, not patched from the
// records, so a retried or reordered batch publishes the same snapshot.
type StreamHandler struct {
	service *core.Service
	writer  core.SnapshotWriter
	// channelOf names the channel of a post item's keys (the store's key
	// design), false for any other item.
	channelOf func(pk, sk string) (string, bool)
	logger    *slog.Logger
	// Observe, when set, hears how many snapshots each batch wrote (for
	// metrics).
	Observe func(written int)
}

// NewStreamHandler returns the handler that publishes through writer.
func NewStreamHandler(service *core.Service, writer core.SnapshotWriter, channelOf func(pk, sk string) (string, bool), logger *slog.Logger) *StreamHandler {
	return &StreamHandler{service: service, writer: writer, channelOf: channelOf, logger: logger}
}

// Handle publishes the snapshots of the channels of event's records. A
// channel whose snapshot failed reports its first record of the batch as
// failed, so Lambda retries from there (and, bisecting, splits the batch),
// while the channels that succeeded are not published again for nothing.
func (h *StreamHandler) Handle(ctx context.Context, event events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var order []string
	first := map[string]string{}
	for _, record := range event.Records {
		keys := record.Change.Keys
		channel, ok := h.channelOf(stringOf(keys["pk"]), stringOf(keys["sk"]))
		if !ok {
			h.logger.WarnContext(ctx, "stream record is not a post", "event_id", record.EventID)
			continue
		}
		if _, seen := first[channel]; !seen {
			first[channel] = record.Change.SequenceNumber
			order = append(order, channel)
		}
	}
	var response events.DynamoDBEventResponse
	written := 0
	defer func() {
		if h.Observe != nil {
			h.Observe(written)
		}
	}()
	for _, channel := range order {
		wrote, err := h.service.PublishSnapshot(ctx, h.writer, channel)
		if err != nil {
			h.logger.ErrorContext(ctx, "snapshot failed", "channel", channel, "error", err.Error())
			response.BatchItemFailures = append(response.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: first[channel]})
			continue
		}
		if wrote {
			written++
		}
		h.logger.InfoContext(ctx, "snapshot published", "channel", channel, "written", wrote)
	}
	return response, nil
}

// stringOf is the string of a key attribute, "" for any other type.
func stringOf(v events.DynamoDBAttributeValue) string {
	if v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}
