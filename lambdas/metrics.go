package lambdas

import (
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/emf"
	"github.com/parley-chat/parley/core"
)

// NewMetrics returns the metrics writer of the function that serves route:
// embedded metric format on standard output, which Lambda sends to the
// function's log group.
func NewMetrics(route string) *emf.Writer {
	return emf.New(os.Stdout, route, func() time.Time { return time.Now().UTC() })
}

// messageRoutes are the routes whose 201 is a message sent, as the route
// table says.
var messageRoutes = func() map[string]bool {
	routes := map[string]bool{}
	for _, r := range apigateway.Routes {
		routes[r.Name] = r.SendsMessage
	}
	return routes
}()

// requestCounts are the metrics of one served request: a stored message, a
// send refused by a block, by the budget or a suspension, a server error.
func requestCounts(o apigateway.Outcome) map[string]int {
	switch {
	case o.Status == http.StatusCreated && messageRoutes[o.Route]:
		return map[string]int{emf.MessagesSent: 1}
	case o.Code == core.EBLOCKED:
		return map[string]int{emf.SendsRefusedByBlock: 1}
	case o.Code == core.ETHROTTLED:
		return map[string]int{emf.SendsThrottled: 1}
	case o.Code == core.ESUSPENDED:
		return map[string]int{emf.SendsRefusedSuspended: 1}
	case o.Status >= http.StatusInternalServerError:
		return map[string]int{emf.ServerErrors: 1}
	default:
		return nil
	}
}

// observeRequests writes the metrics of every request to metrics; nil when
// there is no writer.
func observeRequests(metrics *emf.Writer, logger *slog.Logger) func(apigateway.Outcome) {
	if metrics == nil {
		return nil
	}
	return func(o apigateway.Outcome) {
		if err := metrics.Count(requestCounts(o)); err != nil {
			logger.Warn("metrics not written", "error", err.Error())
		}
	}
}

// countPushes writes the counts of one write's pushes, zeros included, so
// that the failure rate has a denominator.
func countPushes(metrics *emf.Writer, logger *slog.Logger, r core.PushReport) {
	if metrics == nil || r.Delivered+r.Gone+r.Failed == 0 {
		return
	}
	err := metrics.Count(map[string]int{emf.PushesDelivered: r.Delivered, emf.PushesGone: r.Gone, emf.PushesFailed: r.Failed})
	if err != nil {
		logger.Warn("metrics not written", "error", err.Error())
	}
}
