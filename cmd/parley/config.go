package main

import (
	"fmt"
	"os"

	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/lambdas"
)

// devClientID is the client ID of the SPA at the development provider.
const devClientID = "parley-local"

// Config is the local server's configuration, read from the environment.
type Config struct {
	Host        string // PARLEY_LISTEN_HOST, default 127.0.0.1
	Port        string // PORT, default 8080 ("0" picks a free port)
	PublicURL   string // PARLEY_PUBLIC_URL, default http://localhost:$PORT
	FrontendDir string // PARLEY_FRONTEND_DIR, default frontend/dist
	Store       string // PARLEY_STORE: memory (default) or dynamodb
	App         lambdas.Config
	// OIDC is the trusted issuer; zero means the development provider.
	OIDC oidc.Config
}

// ConfigFromEnv reads the local server's configuration.
func ConfigFromEnv() (Config, error) {
	config := Config{
		Host:        envOr("PARLEY_LISTEN_HOST", "127.0.0.1"),
		Port:        envOr("PORT", "8080"),
		PublicURL:   os.Getenv("PARLEY_PUBLIC_URL"),
		FrontendDir: envOr("PARLEY_FRONTEND_DIR", "frontend/dist"),
		Store:       envOr("PARLEY_STORE", "memory"),
		App:         lambdas.ConfigFromEnv(),
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
