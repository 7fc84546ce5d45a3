package lambdas

import (
	"fmt"
	"os"
	"strconv"

	"github.com/parley-chat/parley/core"
)

// SendLimitFromEnv reads the per-person send budget: PARLEY_SEND_BURST sends
// at once (default core.DefaultSendBurst) and PARLEY_SEND_PER_MINUTE after
// that (default core.DefaultSendPerMinute), the same for the local server and
// every Lambda.
func SendLimitFromEnv() (core.SendLimit, error) {
	burst, err := positiveEnv("PARLEY_SEND_BURST", core.DefaultSendBurst)
	if err != nil {
		return core.SendLimit{}, err
	}
	perMinute, err := positiveEnv("PARLEY_SEND_PER_MINUTE", core.DefaultSendPerMinute)
	if err != nil {
		return core.SendLimit{}, err
	}
	return core.NewSendLimit(burst, perMinute)
}

// BudgetOptions are the service options that meter every send against the
// budget store keeps, under limit (the stores of this repository all keep
// one), and the other per-person limits the environment sets:
// PARLEY_MAX_CONNECTIONS open realtime connections (default
// core.DefaultMaxConnections) and the frame budget, PARLEY_FRAME_BURST frames
// at once and PARLEY_FRAMES_PER_MINUTE after that (defaults
// core.DefaultFrameBurst and core.DefaultFramesPerMinute).
func BudgetOptions(store core.Store, limit core.SendLimit) ([]core.Option, error) {
	budget, ok := store.(core.SendBudget)
	if !ok {
		return nil, fmt.Errorf("the %T store keeps no send budget", store)
	}
	maxConnections, err := positiveEnv("PARLEY_MAX_CONNECTIONS", core.DefaultMaxConnections)
	if err != nil {
		return nil, err
	}
	frameBurst, err := positiveEnv("PARLEY_FRAME_BURST", core.DefaultFrameBurst)
	if err != nil {
		return nil, err
	}
	framesPerMinute, err := positiveEnv("PARLEY_FRAMES_PER_MINUTE", core.DefaultFramesPerMinute)
	if err != nil {
		return nil, err
	}
	frameLimit, err := core.NewFrameLimit(frameBurst, framesPerMinute)
	if err != nil {
		return nil, err
	}
	return []core.Option{core.WithSendBudget(budget, limit), core.WithFrameLimit(frameLimit), core.WithMaxConnections(maxConnections)}, nil
}

func positiveEnv(name string, fallback int) (int, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: must be a whole number of at least 1", name, raw)
	}
	return n, nil
}
