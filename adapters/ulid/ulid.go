// Package ulid generates Parley's IDs: ULIDs, which sort by the time they are
// stamped with (by millisecond, and monotonically within one generator and
// one millisecond).
package ulid

import (
	"crypto/rand"
	"sync"
	"time"

	oklog "github.com/oklog/ulid/v2"
)

// Generator makes ULIDs stamped with the time it is handed, so that the ID of
// a message and its date come from one reading of the clock. It is safe for
// concurrent use.
type Generator struct {
	mu      sync.Mutex
	entropy *oklog.MonotonicEntropy
}

// NewGenerator returns a generator.
func NewGenerator() *Generator {
	return &Generator{entropy: oklog.Monotonic(rand.Reader, 0)}
}

// NewID returns a new ULID stamped with at (to the millisecond): it sorts
// after every ID stamped with an earlier millisecond, and after every ID this
// generator returned before for the same millisecond.
func (g *Generator) NewID(at time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return oklog.MustNew(oklog.Timestamp(at), g.entropy).String()
}
