// Command loadtest measures the local server's throughput for get-messages and
// add-message: it signs two people in through the development provider, seeds
// a conversation, then attacks each route with vegeta for a bounded time and
// prints requests per second and latency percentiles.
//
//	go run ./cmd/parley/loadtest -url http://127.0.0.1:8080 -duration 5s -workers 16
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/parley-chat/parley/cmd/parley/internal/localclient"
)

const maxDuration = 30 * time.Second

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the local server's base URL")
	duration := flag.Duration("duration", 5*time.Second, "how long each route is attacked (at most 30s)")
	workers := flag.Uint64("workers", 16, "concurrent connections")
	flag.Parse()
	if err := run(*base, min(*duration, maxDuration), *workers); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(base string, duration time.Duration, workers uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := localclient.New(base)
	alice, bob, err := client.SignInContacts(ctx, "load-alice@example.com", "load-bob@example.com")
	if err != nil {
		return err
	}
	for i := range 100 {
		if err := client.Call(ctx, http.MethodPost, "/add-message", bob, map[string]string{"recipientNamespace": "load-alice@example.com", "message": fmt.Sprintf("seed %d", i)}, nil); err != nil {
			return err
		}
	}

	header := http.Header{"Authorization": {"Bearer " + alice}, "Content-Type": {"application/json"}}
	var sent atomic.Int64
	addMessage := func(t *vegeta.Target) error {
		n := sent.Add(1)
		t.Method, t.URL, t.Header = http.MethodPost, base+"/add-message", header
		t.Body = fmt.Appendf(nil, `{"recipientNamespace":"load-bob@example.com","message":"load %d","clientId":"load-%d"}`, n, n)
		return nil
	}
	fmt.Printf("local server throughput (%d workers, %s per route, in-memory store)\n", workers, duration)
	fmt.Printf("%-14s %10s %10s %10s %10s %8s\n", "route", "req/s", "p50", "p99", "max", "errors")
	for _, attack := range []struct {
		route   string
		targets vegeta.Targeter
	}{
		{"get-messages", vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + "/get-messages?recipientNamespace=load-bob%40example.com&limit=50", Header: header})},
		{"add-message", addMessage},
	} {
		attacker := vegeta.NewAttacker(vegeta.Workers(workers), vegeta.MaxWorkers(workers), vegeta.Timeout(10*time.Second))
		var metrics vegeta.Metrics
		for res := range attacker.Attack(attack.targets, vegeta.Rate{Freq: 0}, duration, attack.route) {
			metrics.Add(res)
		}
		metrics.Close()
		failed := metrics.Requests - uint64(float64(metrics.Requests)*metrics.Success)
		fmt.Printf("%-14s %10.0f %10s %10s %10s %8d\n", attack.route, metrics.Throughput,
			metrics.Latencies.P50.Round(time.Microsecond), metrics.Latencies.P99.Round(time.Microsecond), metrics.Latencies.Max.Round(time.Microsecond), failed)
		if failed > 0 {
			return fmt.Errorf("%s: %d of %d requests failed: %v", attack.route, failed, metrics.Requests, metrics.Errors)
		}
	}
	return nil
}
