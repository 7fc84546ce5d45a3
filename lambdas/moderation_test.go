package lambdas_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
)

// TestNoPublicRouteReachesModeration proves that moderation stays an
// operator's tool: no REST or WebSocket route is about reports but filing
// one, and no code behind the public routes (the inbound adapter, the
// Lambdas, the local server) names the moderator or the report queue.
func TestNoPublicRouteReachesModeration(t *testing.T) {
	for _, route := range apigateway.Routes {
		if strings.Contains(route.Name, "report") || strings.Contains(route.Name, "suspend") {
			assert.Equal(t, "report-contact", route.Name, "the only report route files a report")
		}
	}
	for _, dir := range []string{"../adapters/apigateway", ".", "../cmd/parley"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			source, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, name := range []string{"Moderator", "OpenReports", "ReportQueue", "CloseReport", "Reinstate", ".Suspend("} {
				assert.NotContains(t, string(source), name, "%s reaches moderation", path)
			}
			return nil
		})
		require.NoError(t, err)
	}
}
