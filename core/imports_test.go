package core_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCoreImportsOnlyTheStandardLibrary keeps the hexagon: the domain knows
// nothing of AWS, HTTP or JSON, so a reader learns every rule from core alone
// (docs/architecture.md).
func TestCoreImportsOnlyTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Equal(t, []string{"github.com/parley-chat/parley/core"}, deps, "core imports only the standard library")

	out, err = exec.Command("go", "list", "-f", `{{join .Imports " "}}`, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, forbidden := range []string{"net/http", "encoding/json"} {
		require.NotContains(t, strings.Fields(string(out)), forbidden, "core speaks neither HTTP nor JSON")
	}
}
