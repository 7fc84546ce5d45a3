// Command notifybench measures Web Push on the local server: add-message's
// latency (warm) to a recipient with no subscription and to one with a
// subscribed device, in one run, interleaved; message stored -> push request
// received by a push service of the bench's (which checks the VAPID signature
// and decrypts, as webpushtest does); and the payload's size, as the browser
// decrypts it and as it goes on the wire.
//
//	go run ./cmd/parley/notifybench -url http://127.0.0.1:8080 -messages 300
//
// Run it against a server whose send budget is out of the way
// (PARLEY_SEND_BURST=100000000 PARLEY_SEND_PER_MINUTE=100000000), as
// scripts/bench.sh does.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/parley-chat/parley/adapters/webpush/webpushtest"
	"github.com/parley-chat/parley/cmd/parley/internal/localclient"
)

const (
	maxMessages = 2000
	maxDuration = 2 * time.Minute
	warmUp      = 20
	pushWait    = 10 * time.Second
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the local server's base URL")
	messages := flag.Int("messages", 300, "messages to each recipient (at most 2000)")
	flag.Parse()
	if err := run(*base, min(max(*messages, 1), maxMessages)); err != nil {
		fmt.Fprintln(os.Stderr, "notifybench:", err)
		os.Exit(1)
	}
}

type sentMessage struct {
	Date string `json:"date"`
}

// bench is the people and the push service of one run.
type bench struct {
	client            *localclient.Client
	senderToken       string
	quiet, subscribed string
	service           *webpushtest.Service
	device            *webpushtest.Subscription
}

// setUp signs in a sender and two recipients who have the sender as a
// contact, one of them with a device subscribed at a push service of the
// bench's. Close the service when done.
func setUp(ctx context.Context, base string) (*bench, error) {
	b := &bench{client: localclient.New(base)}
	run := time.Now().UnixNano()
	sender := fmt.Sprintf("notify-sender-%d@example.com", run)
	b.quiet, b.subscribed = fmt.Sprintf("notify-quiet-%d@example.com", run), fmt.Sprintf("notify-subscribed-%d@example.com", run)
	var err error
	if b.senderToken, _, err = b.client.SignInContacts(ctx, sender, b.quiet); err != nil {
		return nil, err
	}
	subscribedToken, err := b.client.SignIn(ctx, b.subscribed)
	if err != nil {
		return nil, err
	}
	for _, add := range []struct{ token, email string }{{b.senderToken, b.subscribed}, {subscribedToken, sender}} {
		if err := b.client.Call(ctx, http.MethodPost, "/add-contact", add.token, map[string]string{"email": add.email, "name": "Bench"}, nil); err != nil {
			return nil, err
		}
	}
	var key struct {
		PublicKey string `json:"publicKey"`
	}
	if err := b.client.Call(ctx, http.MethodGet, "/push-key", subscribedToken, nil, &key); err != nil {
		return nil, err
	}
	b.service = webpushtest.New(key.PublicKey)
	if b.device, err = b.service.Subscribe(); err != nil {
		b.service.Close()
		return nil, err
	}
	err = b.client.Call(ctx, http.MethodPost, "/add-push-subscription", subscribedToken, map[string]any{
		"endpoint": b.device.Endpoint, "keys": map[string]string{"p256dh": b.device.P256dh, "auth": b.device.Auth},
	}, nil)
	if err != nil {
		b.service.Close()
		return nil, err
	}
	return b, nil
}

func run(base string, count int) error {
	ctx, cancel := context.WithTimeout(context.Background(), maxDuration)
	defer cancel()
	b, err := setUp(ctx, base)
	if err != nil {
		return err
	}
	defer b.service.Close()
	client, senderToken, quiet, subscribed, service, device := b.client, b.senderToken, b.quiet, b.subscribed, b.service, b.device

	var withoutSubscription, withSubscription, storedToPush []time.Duration
	pushes := 0
	for i := range warmUp + count {
		text := fmt.Sprintf("bench message %d: a line of about the length people write", i)
		for _, to := range []string{quiet, subscribed} {
			var m sentMessage
			start := time.Now()
			if err := client.Call(ctx, http.MethodPost, "/add-message", senderToken, map[string]string{"recipientNamespace": to, "message": text}, &m); err != nil {
				return err
			}
			took := time.Since(start)
			if i < warmUp {
				if to == subscribed {
					pushes++
					if err := waitForPush(ctx, service, device, pushes); err != nil {
						return err
					}
				}
				continue
			}
			if to == quiet {
				withoutSubscription = append(withoutSubscription, took)
				continue
			}
			withSubscription = append(withSubscription, took)
			// The next send waits for this push, so that none queues
			// behind another and each is measured alone.
			pushes++
			if err := waitForPush(ctx, service, device, pushes); err != nil {
				return err
			}
			stored, err := time.Parse(time.RFC3339Nano, m.Date)
			if err != nil {
				return err
			}
			received := service.Pushes(device)[pushes-1].Received
			storedToPush = append(storedToPush, received.Sub(stored))
		}
	}
	last := service.Pushes(device)[pushes-1]
	if refused := service.Refused(); len(refused) > 0 {
		return fmt.Errorf("the push service refused %d requests: %v", len(refused), refused[0])
	}
	fmt.Printf("add-message, %d warm sends each, interleaved:\n", count)
	fmt.Printf("  to a recipient with no subscription:   %s\n", percentiles(withoutSubscription))
	fmt.Printf("  to a recipient with a subscribed device: %s\n", percentiles(withSubscription))
	fmt.Printf("message stored (its date, ms) -> push request received by the push service: %s\n", percentiles(storedToPush))
	fmt.Printf("payload: %d bytes of JSON as the service worker reads it (previews on, %d-character text); %d bytes encrypted on the wire (webpush-go pads every record to 4 KiB, hiding the length)\n",
		len(last.Payload), len([]rune(textOf(last.Payload))), last.BodySize)
	return nil
}

func waitForPush(ctx context.Context, service *webpushtest.Service, device *webpushtest.Subscription, n int) error {
	ctx, cancel := context.WithTimeout(ctx, pushWait)
	defer cancel()
	_, err := service.WaitForPushes(ctx, device, n)
	return err
}

func textOf(payload []byte) string {
	var p struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(payload, &p)
	return p.Text
}

func percentiles(d []time.Duration) string {
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	return fmt.Sprintf("p50 %v  p99 %v  max %v", at(0.50).Round(time.Microsecond), at(0.99).Round(time.Microsecond), d[len(d)-1].Round(time.Microsecond))
}
