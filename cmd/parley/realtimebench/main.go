// Command realtimebench measures how long a message takes from the sender's
// POST /add-message to the recipient's WebSocket on the local server: it signs
// two people in through the development provider, opens the recipient's
// socket, sends messages one after the other, and prints the percentiles.
//
//	go run ./cmd/parley/realtimebench -url http://127.0.0.1:8080 -messages 500
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/cmd/parley/internal/localclient"
)

const (
	maxMessages = 5000
	maxDuration = 2 * time.Minute
	frameWait   = 10 * time.Second
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the local server's base URL")
	messages := flag.Int("messages", 500, "messages to send (at most 5000)")
	flag.Parse()
	if err := run(*base, min(max(*messages, 1), maxMessages)); err != nil {
		fmt.Fprintln(os.Stderr, "realtimebench:", err)
		os.Exit(1)
	}
}

func run(base string, count int) error {
	ctx, cancel := context.WithTimeout(context.Background(), maxDuration)
	defer cancel()
	client := localclient.New(base)
	sender, recipient, err := client.SignInContacts(ctx, "bench-sender@example.com", "bench-recipient@example.com")
	if err != nil {
		return err
	}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", &websocket.DialOptions{Subprotocols: []string{"parley.v1", "bearer." + recipient}})
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.CloseNow()

	latencies := make([]time.Duration, 0, count)
	for i := range count {
		text := fmt.Sprintf("bench %d", i)
		start := time.Now()
		if err := client.Call(ctx, http.MethodPost, "/add-message", sender, map[string]string{"recipientNamespace": "bench-recipient@example.com", "message": text}, nil); err != nil {
			return err
		}
		for {
			frameCtx, cancelFrame := context.WithTimeout(ctx, frameWait)
			_, data, err := conn.Read(frameCtx)
			cancelFrame()
			if err != nil {
				return fmt.Errorf("message %d never arrived: %w", i, err)
			}
			var frame struct {
				Type    string `json:"type"`
				Message struct {
					Message string `json:"message"`
				} `json:"message"`
			}
			if err := json.Unmarshal(data, &frame); err != nil {
				return err
			}
			if frame.Type == "message" && frame.Message.Message == text {
				break
			}
		}
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	at := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	fmt.Printf("send -> frame on the other user's socket, %d messages: p50 %v  p99 %v  max %v\n",
		count, at(0.50).Round(time.Microsecond), at(0.99).Round(time.Microsecond), latencies[len(latencies)-1].Round(time.Microsecond))
	fmt.Printf("pushes per send: 2 registry lookups (both members), one push per connection of each\n")
	return nil
}
