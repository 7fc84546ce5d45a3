package memory_test

import (
	"testing"

	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) core.Store { return memory.New() })
}

// TestCostContract runs the cases of what operations cost for their results:
// the memory store has no requests to count.
func TestCostContract(t *testing.T) {
	storetest.RunCosts(t, func(*testing.T) (core.Store, storetest.Meter) { return memory.New(), nil })
}
