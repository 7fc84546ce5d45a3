// Command lambdabench runs Parley's built Lambdas as Lambda runs them and
// measures their cold starts side by side with floors: each route's
// `bootstrap` (built for this machine with the flags of the zips) starts as a
// child process polling a minimal Lambda Runtime API on a loopback port,
// against DynamoDB Local behind a proxy that counts its requests and the
// capacity units they consume, and is fed API Gateway events (HTTP API
// payload 2.0 with the JWT authorizer's claims, and WebSocket events).
//
// Cold starts go round by round: each round starts every function once, in
// the table's order, so that a busy moment of a shared machine slows every
// row alike. Per function it prints the median cold start (process start to
// first response) over -cold starts, init (cold minus warm), warm p50/p99 over at
// least -warm calls, the peak resident set, DynamoDB requests per call (in
// all, and one after another on the critical path), read and write units per
// call, and @connections pushes per call. The floors are a bare aws-lambda-go
// binary, one that loads the SDK's configuration and makes one GetItem per
// call, one bare PutItem of a message and one bare TransactWriteItems of the
// items add-message writes (cmd/lambdabench/floors).
//
//	scripts/dynamodb-local.sh run -- go run ./cmd/lambdabench
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
)

// What the functions are given, as terraform/lambdas.tf gives them.
const (
	region               = "eu-central-1"
	lambdaMemoryMB       = 256 // terraform/variables.tf lambda_memory_size
	lambdaTimeoutSeconds = 10
	// warmUpRounds of every kind of request warm DynamoDB Local up.
	warmUpRounds = 200
)

type options struct {
	endpoint string
	cold     int
	warm     int
	only     string
	binaries string
	timeout  time.Duration
	verbose  bool
	// binariesDir is where the binaries are, built or given.
	binariesDir string
}

func main() {
	var o options
	flag.StringVar(&o.endpoint, "endpoint", os.Getenv(dynamodbtest.EndpointEnv), "DynamoDB Local endpoint")
	flag.IntVar(&o.cold, "cold", 15, "cold starts per function (each a new process)")
	flag.IntVar(&o.warm, "warm", 300, "warm calls per function at least, spread over its processes")
	flag.StringVar(&o.only, "only", "", "run only the functions whose row name contains this (and the floors)")
	flag.StringVar(&o.binaries, "binaries", "", "folder of already built binaries (default: build them into .tmp/lambdabench-bootstraps/<GOARCH>)")
	flag.BoolVar(&o.verbose, "v", false, "print every DynamoDB request with its duration")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up after this long")
	flag.Parse()
	if o.endpoint == "" || o.cold < 1 || o.cold > 100 || o.warm < 1 || o.warm > 5000 {
		fmt.Fprintf(os.Stderr, "lambdabench: set %s (scripts/dynamodb-local.sh run -- ...), 1 <= -cold <= 100, 1 <= -warm <= 5000\n", dynamodbtest.EndpointEnv)
		os.Exit(2)
	}
	// Interrupted, it still stops every process and server it started.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "lambdabench:", err)
		os.Exit(1)
	}
}

// build compiles every Lambda and floor for this machine's architecture with
// the flags of the Makefile's zips, into dir.
func build(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags=-s -w -buildid=",
		"-o", dir+string(filepath.Separator), "./lambdas/...", "./cmd/lambdabench/floors/...")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build the bootstraps: %w", err)
	}
	return nil
}

// serve serves h on a loopback port until ctx ends, and returns its URL.
func serve(ctx context.Context, h http.Handler) (string, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	server := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	go func() {
		<-ctx.Done()
		_ = server.Close()
	}()
	return "http://" + listener.Addr().String(), nil
}

func goarch() string { return runtime.GOARCH }

// environment is what a function finds in its environment: what Lambda
// sets, and what terraform/lambdas.tf gives Parley's functions.
type environment struct {
	binaries, home, table, dynamoDB, issuer, callbacks string
}

// of is the environment of the function name; pushes adds the @connections
// endpoint, as Terraform gives it to the functions that push.
func (e environment) of(name string, pushes bool) []string {
	env := []string{
		"AWS_REGION=" + region, "AWS_DEFAULT_REGION=" + region,
		"AWS_LAMBDA_FUNCTION_NAME=parley-bench-" + name, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", lambdaMemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/parley-bench-" + name, "AWS_LAMBDA_LOG_STREAM_NAME=bench",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand", "_HANDLER=bootstrap", "LAMBDA_TASK_ROOT=" + e.binaries,
		"AWS_ACCESS_KEY_ID=ASIABENCH", "AWS_SECRET_ACCESS_KEY=bench", "AWS_SESSION_TOKEN=bench",
		// An empty home: no shared AWS configuration of this machine's.
		"TZ=:UTC", "HOME=" + e.home,
		"PARLEY_TABLE_NAME=" + e.table, "PARLEY_DYNAMODB_ENDPOINT=" + e.dynamoDB,
		"PARLEY_ALLOWED_ORIGIN=https://chat.bench.example",
		"PARLEY_OIDC_ISSUER=" + e.issuer, "PARLEY_OIDC_CLIENT_ID=" + clientID,
		// The bench measures cost, not the budgets: one sender sends
		// hundreds of messages, one reader hundreds of acks and frames.
		"PARLEY_SEND_BURST=100000000", "PARLEY_SEND_PER_MINUTE=100000000",
		"PARLEY_FRAME_BURST=100000000", "PARLEY_FRAMES_PER_MINUTE=100000000",
	}
	if pushes {
		env = append(env, "PARLEY_WS_CALLBACK_URL="+e.callbacks+"/production")
	}
	return env
}

func run(ctx context.Context, out io.Writer, o options) error {
	binaries := o.binaries
	if binaries == "" {
		binaries = filepath.Join(".tmp", "lambdabench-bootstraps", runtime.GOARCH)
		fmt.Fprintf(os.Stderr, "lambdabench: building every bootstrap for linux/%s into %s\n", runtime.GOARCH, binaries)
		if err := build(ctx, binaries); err != nil {
			return err
		}
	}
	o.binariesDir = binaries
	serversCtx, stopServers := context.WithCancel(ctx)
	defer stopServers()

	client := dynamodbtest.NewClient(o.endpoint, nil)
	table, dropTable, err := dynamodbtest.ScratchTable(ctx, client, "parley-lambdabench-")
	if err != nil {
		return err
	}
	defer func() { _ = dropTable() }()

	proxy := newDynamoProxy(o.endpoint)
	if o.verbose {
		proxy.verbose = os.Stderr
	}
	proxyURL, err := serve(serversCtx, proxy)
	if err != nil {
		return err
	}
	callbacks := &callbackServer{}
	callbackURL, err := serve(serversCtx, callbacks)
	if err != nil {
		return err
	}
	iss, err := newIssuer()
	if err != nil {
		return err
	}
	if iss.url, err = serve(serversCtx, iss); err != nil {
		return err
	}
	home, err := os.MkdirTemp("", "lambdabench-home-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)

	w, err := seed(ctx, client, table)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	env := environment{binaries: binaries, home: home, table: table, dynamoDB: proxyURL, issuer: iss.url, callbacks: callbackURL}
	bench := &bench{binaries: binaries, proxy: proxy, callbacks: callbacks, env: env.of}
	perProcess := (o.warm + o.cold - 1) / o.cold
	var results []*result
	for _, s := range scenarios(w, iss) {
		// The floors always run: every ratio the tables print is to them.
		if o.only == "" || s.floor || containsFold(s.name, o.only) {
			results = append(results, &result{scenario: s, ops: map[string]int{}})
		}
	}
	// Round by round, every function starts once, in order: a busy moment
	// of a shared machine then slows every row alike, not one.
	for round := range o.cold {
		for _, r := range results {
			if err := bench.start(ctx, r, perProcess); err != nil {
				return fmt.Errorf("%s, cold start %d: %w", r.name, round+1, err)
			}
		}
		fmt.Fprintf(os.Stderr, "lambdabench: round %d of %d done\n", round+1, o.cold)
	}
	report(out, results, o, perProcess)
	return nil
}
