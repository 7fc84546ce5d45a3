// Command parley is Parley on a laptop: one process that serves the SPA, a
// generated config.json, every REST route through the same handlers as the
// Lambdas, and, unless an issuer is configured, a development sign-in.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/parley-chat/parley/lambdas"
)

func main() {
	logger := lambdas.NewLogger()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	config, err := ConfigFromEnv()
	if err != nil {
		logger.Error("bad configuration", "error", err.Error())
		os.Exit(2)
	}
	if err := Run(ctx, config, logger, nil); err != nil {
		logger.Error("server stopped", "error", err.Error())
		os.Exit(1)
	}
}
