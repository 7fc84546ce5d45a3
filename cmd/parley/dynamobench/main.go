// Command dynamobench measures every route of Parley on the DynamoDB store:
// DynamoDB requests per call, capacity units consumed per call (as DynamoDB
// reports them with ReturnConsumedCapacity TOTAL) and p50/p99 latency of the
// service call, against the DynamoDB endpoint in PARLEY_DYNAMODB_ENDPOINT
// (DynamoDB Local: scripts/dynamodb-local.sh run -- go run ./cmd/parley/dynamobench).
// It creates its own table, runs a bounded number of calls per route, one at
// a time, and prints a Markdown table.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/core"
)

func main() {
	calls := flag.Int("n", 200, "calls per route (each a separate contact or message where the route writes)")
	endpoint := flag.String("endpoint", os.Getenv(dynamodbtest.EndpointEnv), "DynamoDB endpoint")
	flag.Parse()
	if *endpoint == "" || *calls < 1 || *calls > 10000 {
		fmt.Fprintf(os.Stderr, "dynamobench: set %s (scripts/dynamodb-local.sh run -- ...) and 1 <= -n <= 10000\n", dynamodbtest.EndpointEnv)
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *endpoint, *calls); err != nil {
		fmt.Fprintln(os.Stderr, "dynamobench:", err)
		os.Exit(1)
	}
}

// meter adds up the capacity the store reports.
type meter struct {
	mu    sync.Mutex
	units float64
}

func (m *meter) record(_ string, units float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.units += units
}

func (m *meter) take() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	units := m.units
	m.units = 0
	return units
}

// discardPusher delivers every event nowhere.
type discardPusher struct{}

func (discardPusher) Push(context.Context, core.Connection, core.Event) error { return nil }

func (discardPusher) Disconnect(context.Context, string) error { return nil }

// result is what one route cost over its calls.
type result struct {
	route    string
	calls    int
	requests map[string]int
	units    float64
	p50, p99 time.Duration
}

func run(ctx context.Context, out io.Writer, endpoint string, n int) error {
	scratch, err := dynamodbtest.NewScratch(ctx, endpoint, "parley-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = scratch.Close() }()
	counter := scratch.Counter

	var capacity meter
	store := dynamostore.New(scratch.Client, scratch.Table, dynamostore.WithCapacityRecorder(capacity.record))
	var ids atomic.Int64
	// Pushes go nowhere, but the registry lookups and the connection writes
	// they make are the store's, as in AWS.
	// Sends and acks are metered as in AWS (one UpdateItem of the person's
	// budget), with budgets that never run out: the bench measures cost, not
	// the limits.
	limit, err := core.NewSendLimit(1_000_000, 1_000_000)
	if err != nil {
		return err
	}
	frameLimit, err := core.NewFrameLimit(1_000_000, 1_000_000)
	if err != nil {
		return err
	}
	service := core.NewService(store, time.Now, func(time.Time) string { return fmt.Sprintf("%020d", ids.Add(1)) },
		core.WithPusher(discardPusher{}), core.WithSendBudget(store, limit), core.WithFrameLimit(frameLimit))

	// The first pass, on other people, warms DynamoDB Local's JVM up; only
	// the second is measured.
	if _, err := measureRoutes(ctx, service, counter, &capacity, "warmup", n); err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	results, err := measureRoutes(ctx, service, counter, &capacity, "bench", n)
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "DynamoDB store on %s, %d calls per route, one at a time, after a warm-up pass\n\n", endpoint, n)
	fmt.Fprintln(out, "| route | requests/call | requests | capacity units/call | p50 | p99 |")
	fmt.Fprintln(out, "|---|---:|---|---:|---:|---:|")
	for _, r := range results {
		total := 0
		var ops []string
		for _, op := range slices.Sorted(maps.Keys(r.requests)) {
			total += r.requests[op]
			ops = append(ops, fmt.Sprintf("%s %.2g", op, float64(r.requests[op])/float64(r.calls)))
		}
		fmt.Fprintf(out, "| %s | %.2f | %s | %.2f | %s | %s |\n", r.route, float64(total)/float64(r.calls),
			strings.Join(ops, " + "), r.units/float64(r.calls), round(r.p50), round(r.p99))
	}
	fmt.Fprintln(out, "\nCapacity units are read plus write units as the endpoint reports them on success. A write whose")
	fmt.Fprintln(out, "condition fails (existing contact, retried clientId) reports none, though DynamoDB bills it. In a")
	fmt.Fprintln(out, "transaction DynamoDB Local rounds the total size up to 1 KB where DynamoDB rounds each item:")
	fmt.Fprintln(out, "add-message's five items under 1 KB each (six with a clientId: its marker) are 10 (12) write units")
	fmt.Fprintln(out, "on DynamoDB, which bills 2 per transaction item.")
	return nil
}

// measureRoutes calls every route n times for people named after who, and
// returns what each route cost.
// Long by design: one table of every route and its call, measured in the order README.md lists them.
func measureRoutes(ctx context.Context, service *core.Service, counter *dynamodbtest.RequestCounter, capacity *meter, who string, n int) ([]result, error) {
	alice := core.Caller{Email: who + "-alice@example.com"}
	contact := func(i int) string { return fmt.Sprintf("%s-contact-%04d@example.com", who, i) }
	bob := core.Caller{Email: contact(0)}
	text := strings.Repeat("Parley benchmark message. ", 4) // 104 bytes, a typical chat line
	var results []result
	// Each member has one device connected, so every write pushes.
	for _, c := range []core.Caller{alice, bob} {
		if _, err := service.Connect(ctx, c, who+"-device-"+strings.Split(c.Email, "@")[0]); err != nil {
			return nil, err
		}
	}
	sent := make([]string, n)
	posts := make([]string, n)
	channel := func(i int) string { return fmt.Sprintf("%s-live-%d", who, i) }
	var bobID string // alice's contact for bob, as ChatScape's client names it

	measure := func(route string, call func(i int) error) error {
		counter.Reset()
		capacity.take()
		latencies := make([]time.Duration, n)
		for i := range n {
			start := time.Now()
			if err := call(i); err != nil {
				return fmt.Errorf("%s call %d: %w", route, i, err)
			}
			latencies[i] = time.Since(start)
		}
		slices.Sort(latencies)
		results = append(results, result{
			route: route, calls: n, requests: counter.Counts(), units: capacity.take(),
			p50: latencies[n/2], p99: latencies[min(n-1, n*99/100)],
		})
		return nil
	}
	expect := func(created, want bool, err error) error {
		if err == nil && created != want {
			return fmt.Errorf("created = %v, want %v", created, want)
		}
		return err
	}

	steps := []struct {
		route string
		call  func(i int) error
	}{
		{"add-contact (new)", func(i int) error {
			added, created, err := service.AddContact(ctx, alice, core.AddContactInput{Email: contact(i), Name: fmt.Sprintf("Contact %d", i)})
			if i == 0 {
				bobID = added.ID
			}
			return expect(created, true, err)
		}},
		{"add-contact (existing)", func(i int) error {
			_, created, err := service.AddContact(ctx, alice, core.AddContactInput{Email: contact(i), Name: "Again"})
			return expect(created, false, err)
		}},
		{fmt.Sprintf("get-contacts (%d contacts, one page)", n), func(int) error {
			page, err := service.GetContactsPage(ctx, alice, core.GetContactsInput{})
			if err == nil && (len(page.Contacts) != min(n, core.DefaultContactPage) || page.Next != "") {
				err = fmt.Errorf("got %d contacts and next %q, want %d and none", len(page.Contacts), page.Next, n)
			}
			return err
		}},
		{"get-contacts (pages of 10, followed)", func(int) error {
			page, err := service.GetContactsPage(ctx, alice, core.GetContactsInput{Limit: 10})
			if err == nil && n > 10 && page.Next == "" {
				err = fmt.Errorf("a page of 10 of %d contacts says it is the last", n)
			}
			return err
		}},
		{"add-message (new, 104 B)", func(i int) error {
			m, created, err := service.AddMessage(ctx, alice, core.AddMessageInput{Recipient: bob.Email, Text: text, ClientID: fmt.Sprintf("c%d", i)})
			sent[i] = m.ID
			return expect(created, true, err)
		}},
		{"add-message (retried clientId)", func(i int) error {
			_, created, err := service.AddMessage(ctx, alice, core.AddMessageInput{Recipient: bob.Email, Text: text, ClientID: fmt.Sprintf("c%d", i)})
			return expect(created, false, err)
		}},
		{"get-messages (page of 50)", func(int) error {
			page, err := service.GetMessages(ctx, bob, core.GetMessagesInput{With: alice.Email})
			if err == nil && len(page) != min(n, core.DefaultMessagePage) {
				err = fmt.Errorf("got %d messages", len(page))
			}
			return err
		}},
		{"ack (delivered)", func(i int) error {
			_, err := service.Ack(ctx, bob, core.AckInput{With: alice.Email, UpTo: sent[i]}, "")
			return err
		}},
		{"ack (read)", func(i int) error {
			_, err := service.Ack(ctx, bob, core.AckInput{With: alice.Email, UpTo: sent[i], Read: true}, "")
			return err
		}},
		{"ws $connect", func(i int) error {
			_, err := service.Connect(ctx, alice, fmt.Sprintf("%s-tab-%d", who, i))
			return err
		}},
		{"ws $disconnect", func(i int) error {
			return service.Disconnect(ctx, fmt.Sprintf("%s-tab-%d", who, i))
		}},
		{"block-contact", func(i int) error {
			_, err := service.BlockContact(ctx, alice, contact(i))
			return err
		}},
		{"unblock-contact", func(i int) error {
			_, err := service.UnblockContact(ctx, alice, contact(i))
			return err
		}},
		{fmt.Sprintf("get-messages (recipientNamespace = contact id, %d contacts)", n), func(int) error {
			_, err := service.GetMessages(ctx, alice, core.GetMessagesInput{With: bobID})
			return err
		}},
		{"report-contact (new report)", func(i int) error {
			_, err := service.ReportContact(ctx, alice, bob.Email, fmt.Sprintf("Sends the same message over and over (%d).", i))
			return err
		}},
		{"report-contact (retried)", func(i int) error {
			_, err := service.ReportContact(ctx, alice, bob.Email, fmt.Sprintf("Sends the same message over and over (%d).", i))
			return err
		}},
		{"create-channel", func(i int) error {
			_, err := service.CreateChannel(ctx, alice, core.CreateChannelInput{Channel: channel(i), Title: "Bench channel"})
			return err
		}},
		{"add-publisher", func(i int) error {
			_, err := service.AddPublisher(ctx, alice, core.AddPublisherInput{Channel: channel(0), Email: contact(i), Name: fmt.Sprintf("Caster %d", i)})
			return err
		}},
		{"post-to-channel (new, 104 B)", func(i int) error {
			p, created, err := service.PostToChannel(ctx, bob, core.PostInput{Channel: channel(0), Text: text, ClientID: fmt.Sprintf("p%d", i)})
			posts[i] = p.ID
			return expect(created, true, err)
		}},
		{"post-to-channel (retried clientId)", func(i int) error {
			_, created, err := service.PostToChannel(ctx, bob, core.PostInput{Channel: channel(0), Text: text, ClientID: fmt.Sprintf("p%d", i)})
			return expect(created, false, err)
		}},
		{fmt.Sprintf("feed Lambda: snapshot of %d posts", n), func(int) error {
			s, err := service.FeedSnapshot(ctx, channel(0))
			if err == nil && len(s.Posts) != min(n, core.SnapshotMaxPosts) {
				err = fmt.Errorf("got %d posts", len(s.Posts))
			}
			return err
		}},
		{"delete-post", func(i int) error {
			return service.DeletePost(ctx, alice, channel(0), posts[i])
		}},
	}
	for _, step := range steps {
		if err := measure(step.route, step.call); err != nil {
			return nil, err
		}
	}
	return results, nil
}

func round(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
