package main

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/lambdas"
)

// devClientID is the client ID of the SPA at the development provider.
const devClientID = "parley-local"

// Config is the local server's configuration, read from the environment.
type Config struct {
	Host      string // PARLEY_LISTEN_HOST, default 127.0.0.1
	Port      string // PORT, default 8080 ("0" picks a free port)
	PublicURL string // PARLEY_PUBLIC_URL, default http://localhost:$PORT
	// WebSocketURL is the realtime endpoint the SPA is told (PARLEY_WS_URL), default ws://<PublicURL's host>/ws.
	// The end-to-end tests give it another origin, as the WebSocket API has in AWS, so the browser holds the
	// socket to the Content-Security-Policy's connect-src as it does there.
	WebSocketURL string
	// ExtraConnectSrc are more sources for connect-src (PARLEY_CSP_EXTRA_CONNECT_SRC, space-separated), as
	// Terraform's csp_extra_connect_src.
	ExtraConnectSrc []string
	FrontendDir     string // PARLEY_FRONTEND_DIR, default frontend/dist
	Store           string // PARLEY_STORE: memory (default) or dynamodb
	App             lambdas.Config
	// OIDC is the trusted issuer; zero means the development provider.
	OIDC oidc.Config
	// DevSignInAnyHost lets the development sign-in listen beyond loopback
	// (PARLEY_DEV_SIGNIN_ANY_HOST=1); see checkDevSignInReach.
	DevSignInAnyHost bool
}

// EnvDevSignInAnyHost forces the development sign-in on a non-loopback address.
const EnvDevSignInAnyHost = "PARLEY_DEV_SIGNIN_ANY_HOST"

// checkDevSignInReach refuses the development sign-in, where anyone signs in
// as any email, on an address other machines reach, unless it is forced: a
// warning in a log nobody reads protects nobody.
func (c Config) checkDevSignInReach() error {
	if c.OIDC.Issuer != "" || isLoopback(c.Host) || c.DevSignInAnyHost {
		return nil
	}
	return fmt.Errorf("PARLEY_LISTEN_HOST=%s reaches beyond this machine, where the development sign-in lets anyone sign in as any email: "+
		"set PARLEY_OIDC_ISSUER to use a real provider, listen on 127.0.0.1, or set %s=1 to accept it", c.Host, EnvDevSignInAnyHost)
}

// isLoopback reports whether host names only this machine.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// ConfigFromEnv reads the local server's configuration.
func ConfigFromEnv() (Config, error) {
	config := Config{
		Host:             envOr("PARLEY_LISTEN_HOST", "127.0.0.1"),
		Port:             envOr("PORT", "8080"),
		PublicURL:        os.Getenv("PARLEY_PUBLIC_URL"),
		WebSocketURL:     os.Getenv("PARLEY_WS_URL"),
		ExtraConnectSrc:  strings.Fields(os.Getenv("PARLEY_CSP_EXTRA_CONNECT_SRC")),
		FrontendDir:      envOr("PARLEY_FRONTEND_DIR", "frontend/dist"),
		Store:            envOr("PARLEY_STORE", "memory"),
		App:              lambdas.ConfigFromEnv(),
		DevSignInAnyHost: os.Getenv(EnvDevSignInAnyHost) == "1",
	}
	if u := config.WebSocketURL; u != "" && !strings.HasPrefix(u, "ws://") && !strings.HasPrefix(u, "wss://") {
		return Config{}, fmt.Errorf("PARLEY_WS_URL=%q: must be a ws:// or wss:// URL", u)
	}
	if issuer, ok := oidc.ConfigFromEnv(); ok {
		if err := issuer.Validate(); err != nil {
			return Config{}, fmt.Errorf("OIDC issuer (%s): %w", oidc.EnvIssuer, err)
		}
		config.OIDC = issuer
	}
	switch config.Store {
	case "memory":
	case "dynamodb":
		if config.App.TableName == "" {
			config.App.TableName = "parley-local"
		}
	default:
		return Config{}, fmt.Errorf("PARLEY_STORE=%q: must be memory or dynamodb", config.Store)
	}
	return config, nil
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
