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
