package lambdas

import (
	"log/slog"
	"time"

	"github.com/parley-chat/parley/adapters/emf"
	"github.com/parley-chat/parley/core"
)

// NewNotifier returns the notifier that sends through sender, logging and
// counting (when metrics is not nil) what became of each message's
// notifications.
func NewNotifier(store core.Store, sender core.WebPusher, logger *slog.Logger, metrics *emf.Writer) *core.Notifier {
	now := func() time.Time { return time.Now().UTC() }
	return core.NewNotifier(store, sender, now, func(r core.NotifyReport) {
		if r.Failed > 0 {
			logger.Warn("notifications failed", "failed", r.Failed, "delivered", r.Delivered, "gone", r.Gone)
		}
		if metrics == nil || r.Skipped {
			return
		}
		err := metrics.Count(map[string]int{emf.NotificationsDelivered: r.Delivered, emf.NotificationsGone: r.Gone, emf.NotificationsFailed: r.Failed})
		if err != nil {
			logger.Warn("metrics not written", "error", err.Error())
		}
	})
}
