// Package emf writes Parley's metrics in CloudWatch's embedded metric format:
// one JSON log line per event that CloudWatch Logs turns into metrics, with no
// API call and no agent. A Lambda's standard output goes to its log group, so
// writing the line is all it takes.
//
// AWS publishes EMF libraries for Node.js, Python, Java and .NET but none for
// Go, and no maintained Go one is available to this project, so the format is
// written here: it is one small, documented JSON shape
// (CloudWatch_Embedded_Metric_Format_Specification), held to by the tests.
package emf

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every Parley metric.
const Namespace = "Parley"

// Dimension names. Every metric is published twice: per function, and once
// for the whole service, so that an alarm can watch a rate across functions.
const (
	DimensionFunction = "Function"
	DimensionService  = "Service"
	// ServiceName is the value of DimensionService.
	ServiceName = "parley"
)

// Metric names, all counts.
const (
	MessagesSent          = "MessagesSent"
	SendsRefusedByBlock   = "SendsRefusedByBlock"
	SendsThrottled        = "SendsThrottled"
	SendsRefusedSuspended = "SendsRefusedSuspended"
	ServerErrors          = "ServerErrors"
	PushesDelivered       = "PushesDelivered"
	PushesGone            = "PushesGone"
	PushesFailed          = "PushesFailed"
	// FeedSnapshotsWritten is for the feed function (public channels).
	FeedSnapshotsWritten = "FeedSnapshotsWritten"
	// NotificationsDelivered, NotificationsGone and NotificationsFailed are
	// the notify function's: Web Push requests a push service accepted,
	// answered 404/410, or refused for good (after retries).
	NotificationsDelivered = "NotificationsDelivered"
	NotificationsGone      = "NotificationsGone"
	NotificationsFailed    = "NotificationsFailed"
)

// Writer writes EMF lines for one function. It is safe for concurrent use.
type Writer struct {
	mu       sync.Mutex
	w        io.Writer
	function string
	now      func() time.Time
}

// New returns a writer of the metrics of function to w, stamped by now.
func New(w io.Writer, function string, now func() time.Time) *Writer {
	return &Writer{w: w, function: function, now: now}
}

type metricDefinition struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type metricDirective struct {
	Namespace  string             `json:"Namespace"`
	Dimensions [][]string         `json:"Dimensions"`
	Metrics    []metricDefinition `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64             `json:"Timestamp"`
	CloudWatchMetrics []metricDirective `json:"CloudWatchMetrics"`
}

// Count writes one line with counts, the metrics named by its keys; zero
// counts are written too (an alarm on a rate needs them), and nothing is
// written for an empty map.
func (w *Writer) Count(counts map[string]int) error {
	if len(counts) == 0 {
		return nil
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	slices.Sort(names)
	line := map[string]any{DimensionFunction: w.function, DimensionService: ServiceName}
	directive := metricDirective{
		Namespace:  Namespace,
		Dimensions: [][]string{{DimensionFunction}, {DimensionService}},
		Metrics:    make([]metricDefinition, 0, len(names)),
	}
	for _, name := range names {
		directive.Metrics = append(directive.Metrics, metricDefinition{Name: name, Unit: "Count"})
		line[name] = counts[name]
	}
	line["_aws"] = metadata{Timestamp: w.now().UnixMilli(), CloudWatchMetrics: []metricDirective{directive}}
	encoded, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("encode metrics: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(append(encoded, '\n'))
	return err
}
