// Package ulid generates Parley's IDs: ULIDs, which sort in the order they
// were made (by millisecond, and monotonically within one generator).
package ulid

import (
	"crypto/rand"
	"sync"
	"time"

	oklog "github.com/oklog/ulid/v2"
)

// Generator makes ULIDs from an injected clock. It is safe for concurrent use.
type Generator struct {
	mu      sync.Mutex
	now     func() time.Time
	entropy *oklog.MonotonicEntropy
}

// NewGenerator returns a generator that stamps IDs with the time now returns.
func NewGenerator(now func() time.Time) *Generator {
	return &Generator{now: now, entropy: oklog.Monotonic(rand.Reader, 0)}
}

// NewID returns a new ULID that sorts after every ID this generator returned
// before within the same millisecond.
func (g *Generator) NewID() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return oklog.MustNew(oklog.Timestamp(g.now()), g.entropy).String()
}
