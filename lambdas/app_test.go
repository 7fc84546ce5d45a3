package lambdas_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/apigateway"
)

// TestLambdasCannotReachDevelopmentOnlyCode proves from the build graph that
// no Lambda can enable the development sign-in, sign a token of its own or
// run on the in-memory store.
func TestLambdasCannotReachDevelopmentOnlyCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/parley-chat/parley/adapters/dynamodb")
	for _, dep := range deps {
		assert.NotContains(t, dep, "devoidc")
		assert.NotContains(t, dep, "oidckeys", "the signer of the development sign-in and the test issuer")
		assert.NotContains(t, dep, "oidctest")
		assert.NotEqual(t, "github.com/parley-chat/parley/adapters/memory", dep)
	}
}

// TestEveryRouteHasItsLambda checks that the folders here are exactly the
// routes of the Go route tables, REST and WebSocket, each starting its own route.
func TestEveryRouteHasItsLambda(t *testing.T) {
	var routes []string
	for _, route := range apigateway.Routes {
		routes = append(routes, route.Name)
		source, err := os.ReadFile(filepath.Join(route.Name, "main.go"))
		require.NoError(t, err)
		assert.Contains(t, string(source), `lambdas.Start("`+route.Name+`"`)
	}
	for _, route := range apigateway.WebSocketRoutes {
		routes = append(routes, route.Name)
		source, err := os.ReadFile(filepath.Join(route.Name, "main.go"))
		require.NoError(t, err)
		assert.Contains(t, string(source), `lambdas.StartWebSocket("`+route.Name+`"`)
	}
	// The feed Lambda is the table stream's, not a route's.
	source, err := os.ReadFile(filepath.Join("feed", "main.go"))
	require.NoError(t, err)
	assert.Contains(t, string(source), `stream.StartFeed()`)
	routes = append(routes, "feed")
	// So is the notify Lambda.
	source, err = os.ReadFile(filepath.Join("notify", "main.go"))
	require.NoError(t, err)
	assert.Contains(t, string(source), `stream.StartNotify()`)
	routes = append(routes, "notify")
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var folders []string
	for _, entry := range entries {
		// extra is the package of what only some functions build, which
		// their mains name: no function of its own.
		if entry.IsDir() && entry.Name() != "extra" {
			folders = append(folders, entry.Name())
		}
	}
	assert.ElementsMatch(t, routes, folders)
	_, err = os.Stat(filepath.Join("extra", "main.go"))
	assert.ErrorIs(t, err, os.ErrNotExist, "extra is a package, not a function")
}
