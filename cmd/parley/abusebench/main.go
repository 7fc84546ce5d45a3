// Command abusebench prints the figures of Parley's abuse limits, from a
// bounded run against DynamoDB Local (scripts/dynamodb-local.sh run -- go run
// ./cmd/parley/abusebench):
//
//   - DynamoDB requests per ack in a conversation of -messages messages (10,000
//     by default): an ack that moves nothing, and one that moves the read
//     watermark by one message, near the newest and in the middle;
//   - pushes made for one message to a person who tried to open 100 sockets;
//   - frames per second one person can make before being refused, under the
//     default frame budget, for 10 s of frames sent at 100 a second.
//
// The clock is simulated: no figure depends on this machine's speed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/adapters/ulid"
	"github.com/parley-chat/parley/core"
)

func main() {
	messages := flag.Int("messages", 10_000, "messages in the conversation the acks are measured in (at most 20000)")
	endpoint := flag.String("endpoint", os.Getenv(dynamodbtest.EndpointEnv), "DynamoDB endpoint")
	flag.Parse()
	if *endpoint == "" || *messages < 10 || *messages > 20_000 {
		fmt.Fprintf(os.Stderr, "abusebench: set %s (scripts/dynamodb-local.sh run -- ...) and 10 <= -messages <= 20000\n", dynamodbtest.EndpointEnv)
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *endpoint, *messages); err != nil {
		fmt.Fprintln(os.Stderr, "abusebench:", err)
		os.Exit(1)
	}
}

// countingPusher counts what it is asked to deliver and close.
type countingPusher struct {
	mu           sync.Mutex
	messages     int
	closing      int
	disconnected int
}

func (p *countingPusher) Push(_ context.Context, _ core.Connection, e core.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.(type) {
	case core.MessageEvent:
		p.messages++
	case core.ClosingEvent:
		p.closing++
	}
	return nil
}

func (p *countingPusher) Disconnect(context.Context, string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disconnected++
	return nil
}

// clock is the simulated time, one millisecond on at each reading so that
// every message gets an ID of its own.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func run(ctx context.Context, out io.Writer, endpoint string, messages int) error {
	scratch, err := dynamodbtest.NewScratch(ctx, endpoint, "parley-abuse-")
	if err != nil {
		return err
	}
	defer func() { _ = scratch.Close() }()
	counter := scratch.Counter
	store := dynamostore.New(scratch.Client, scratch.Table)
	pusher := &countingPusher{}
	now := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	unlimited, err := core.NewSendLimit(1_000_000, 1_000_000)
	if err != nil {
		return err
	}
	service := core.NewService(store, now.Now, ulid.NewGenerator().NewID, core.WithPusher(pusher), core.WithSendBudget(store, unlimited))

	if err := acks(ctx, out, service, counter, messages); err != nil {
		return err
	}
	if err := sockets(ctx, out, service, pusher); err != nil {
		return err
	}
	return frames(ctx, out, store, now)
}

// acks prints the DynamoDB requests of acks in a conversation of n messages.
func acks(ctx context.Context, out io.Writer, service *core.Service, counter *dynamodbtest.RequestCounter, n int) error {
	alice, bob := core.Caller{Email: "alice@example.com"}, core.Caller{Email: "bob@example.com"}
	for _, pair := range [][2]core.Caller{{alice, bob}, {bob, alice}} {
		if _, _, err := service.AddContact(ctx, pair[0], core.AddContactInput{Email: pair[1].Email, Name: "Someone"}); err != nil {
			return err
		}
	}
	ids := make([]string, 0, n)
	for i := range n {
		m, _, err := service.AddMessage(ctx, bob, core.AddMessageInput{Recipient: alice.Email, Text: fmt.Sprintf("message %d", i)})
		if err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		ids = append(ids, m.ID)
	}
	measure := func(name string, upTo string) error {
		counter.Reset()
		if _, err := service.Ack(ctx, alice, core.AckInput{With: bob.Email, UpTo: upTo, Read: true}, ""); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(out, "  %-58s %3d requests %v, %d items read\n", name, counter.Total(), counter.Counts(), counter.ItemsRead())
		return nil
	}
	fmt.Fprintf(out, "DynamoDB requests per ack (read: true) in a conversation of %d messages:\n", n)
	middle := n / 2
	steps := []struct {
		name string
		upTo string
	}{
		{"moving one message: the first, from no watermark", ids[0]},
		{"moving one message: the second", ids[1]},
		{"moving nothing: the first again, behind the watermark", ids[0]},
		{"moving to the middle (half the conversation at once)", ids[middle]},
		{"moving one message: the one after the middle", ids[middle+1]},
		{"moving nothing: one behind the watermark", ids[middle]},
		{"moving to the second newest", ids[n-2]},
		{"moving one message: the newest", ids[n-1]},
		{"moving nothing: the newest again", ids[n-1]},
	}
	for _, step := range steps {
		if err := measure(step.name, step.upTo); err != nil {
			return err
		}
	}
	return nil
}

// sockets prints the pushes one message makes to a person who tried to open
// 100 sockets.
func sockets(ctx context.Context, out io.Writer, service *core.Service, pusher *countingPusher) error {
	carol, dave := core.Caller{Email: "carol@example.com"}, core.Caller{Email: "dave@example.com"}
	if _, _, err := service.AddContact(ctx, carol, core.AddContactInput{Email: dave.Email, Name: "Dave"}); err != nil {
		return err
	}
	const tried = 100
	for i := range tried {
		if _, err := service.Connect(ctx, dave, fmt.Sprintf("dave-socket-%03d", i)); err != nil {
			return fmt.Errorf("socket %d: %w", i, err)
		}
	}
	pusher.messages = 0
	if _, _, err := service.AddMessage(ctx, carol, core.AddMessageInput{Recipient: dave.Email, Text: "one message"}); err != nil {
		return err
	}
	fmt.Fprintf(out, "A person who tried to open %d sockets (cap %d): %d closed past the cap (each told first), %d pushes of one message to them\n",
		tried, core.DefaultMaxConnections, pusher.disconnected, pusher.messages)
	return nil
}

// frames prints how many frames a second one person gets accepted under the
// default frame budget, sending 100 a second for 10 s.
func frames(ctx context.Context, out io.Writer, budget core.SendBudget, now *clock) error {
	limit := core.DefaultFrameLimit()
	const perSecond, seconds = 100, 10
	fmt.Fprintf(out, "Frames accepted per second from one person sending %d a second (frame budget: burst %d, %d a minute):\n ",
		perSecond, limit.Burst, int(time.Minute/limit.Interval))
	for s := range seconds {
		accepted := 0
		for range perSecond {
			err := budget.Spend(ctx, core.Charge{Sender: "eve@example.com", Limit: limit, Now: now.Now()})
			switch core.ErrorCode(err) {
			case "":
				accepted++
			case core.ETHROTTLED:
			default:
				return err
			}
			now.advance(time.Second/perSecond - time.Millisecond)
		}
		fmt.Fprintf(out, " second %d: %d", s+1, accepted)
	}
	fmt.Fprintln(out)
	return nil
}
