// Command accountbench measures a large account's export and deletion: on the
// DynamoDB endpoint in PARLEY_DYNAMODB_ENDPOINT (DynamoDB Local:
// scripts/dynamodb-local.sh run -- go run ./cmd/parley/accountbench) it seeds
// an account with -messages messages across -conversations conversations and
// a channel it owns with -posts posts,
// exports it (requests, time, document size) and deletes it (requests, time);
// on the memory store it exports an account of -export-messages messages
// (time, size): the encoding and paging without the network. Bounded by its
// flags; it creates and drops its own table.
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
	"github.com/parley-chat/parley/adapters/exportdoc"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

func main() {
	endpoint := flag.String("endpoint", os.Getenv(dynamodbtest.EndpointEnv), "DynamoDB endpoint")
	conversations := flag.Int("conversations", 50, "conversations of the account on DynamoDB")
	messages := flag.Int("messages", 10_000, "messages of the account on DynamoDB, across its conversations")
	exportMessages := flag.Int("export-messages", 100_000, "messages of the account exported on the memory store")
	posts := flag.Int("posts", 1_000, "posts of the channel the account owns on DynamoDB")
	flag.Parse()
	if *endpoint == "" || *conversations < 1 || *messages < *conversations || *messages > 200_000 || *exportMessages > 1_000_000 || *posts < 0 || *posts > 100_000 {
		fmt.Fprintf(os.Stderr, "accountbench: set %s (scripts/dynamodb-local.sh run -- ...); 1 <= conversations <= messages <= 200000, export-messages <= 1000000\n", dynamodbtest.EndpointEnv)
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *endpoint, *conversations, *messages, *posts, *exportMessages); err != nil {
		fmt.Fprintln(os.Stderr, "accountbench:", err)
		os.Exit(1)
	}
}

// countingWriter counts the bytes of a document and drops them.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n.Add(int64(len(p))); return len(p), nil }
func (w *countingWriter) Close() error                { return nil }

// sizedArchive is an archive that only measures what is written to it.
type sizedArchive struct {
	mu   sync.Mutex
	last *countingWriter
}

func (a *sizedArchive) Create(context.Context, string) (io.WriteCloser, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.last = &countingWriter{}
	return a.last, nil
}

func (a *sizedArchive) Link(_ context.Context, name string, _ time.Time) (string, error) {
	return "bench://" + name, nil
}

func (a *sizedArchive) size() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last.n.Load()
}

func run(ctx context.Context, out io.Writer, endpoint string, conversations, messages, posts, exportMessages int) error {
	scratch, err := dynamodbtest.NewScratch(ctx, endpoint, "parley-accountbench-")
	if err != nil {
		return err
	}
	defer func() { _ = scratch.Close() }()
	counter := scratch.Counter
	store := dynamostore.New(scratch.Client, scratch.Table)
	var ids atomic.Int64
	newID := func() string { return fmt.Sprintf("%020d", ids.Add(1)) }
	archive := &sizedArchive{}
	service := core.NewService(store, time.Now, func(time.Time) string { return newID() },
		core.WithExports(core.Exports{Archive: archive, Render: exportdoc.New}))

	const email = "bench-owner@example.com"
	peer := func(n int) string { return fmt.Sprintf("bench-peer-%d@example.com", n) }
	seeded := time.Now()
	if err := storetest.SeedConversations(ctx, store, email, peer, conversations, messages/conversations, newID, time.Now().UTC()); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := seedChannel(ctx, store, email, posts, newID); err != nil {
		return fmt.Errorf("seed the channel: %w", err)
	}
	total := messages / conversations * conversations
	fmt.Fprintf(out, "DynamoDB store on %s: an account with %d messages in %d conversations and a channel of %d posts (seeded in %s)\n\n",
		endpoint, total, conversations, posts, time.Since(seeded).Round(time.Millisecond))

	counter.Reset()
	start := time.Now()
	if _, err := service.Export(ctx, core.Caller{Email: email}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(out, "- export: %s, %s, %d requests (%s)\n", time.Since(start).Round(time.Millisecond), megabytes(archive.size()), counter.Total(), requests(counter.Counts()))

	counter.Reset()
	start = time.Now()
	report, err := service.EraseAccount(ctx, email)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	fmt.Fprintf(out, "- delete: %s, %d requests (%s); erased %d messages, %d conversations, %d contacts, %d channels, %d posts\n",
		time.Since(start).Round(time.Millisecond), counter.Total(), requests(counter.Counts()), report.Messages, report.Conversations, report.Contacts, report.Channels, report.Posts)

	mem := memory.New()
	memArchive := &sizedArchive{}
	memService := core.NewService(mem, time.Now, func(time.Time) string { return newID() },
		core.WithExports(core.Exports{Archive: memArchive, Render: exportdoc.New}))
	if err := storetest.SeedConversations(ctx, mem, email, peer, 10, exportMessages/10, newID, time.Now().UTC()); err != nil {
		return fmt.Errorf("seed memory: %w", err)
	}
	start = time.Now()
	if _, err := memService.Export(ctx, core.Caller{Email: email}); err != nil {
		return fmt.Errorf("export on memory: %w", err)
	}
	fmt.Fprintf(out, "\nMemory store: export of an account with %d messages in 10 conversations: %s, %s\n",
		exportMessages/10*10, time.Since(start).Round(time.Millisecond), megabytes(memArchive.size()))
	return nil
}

// seedChannel creates a channel owned by email with posts posts, straight
// through the store.
func seedChannel(ctx context.Context, store core.Store, email string, posts int, newID func() string) error {
	at := time.Now().UTC()
	channel := core.Channel{ID: "bench-channel", Owner: email, Title: "Bench", CreatedAt: at}
	if err := store.CreateChannel(ctx, channel, core.Publisher{Channel: channel.ID, Email: email, Name: "Host", AddedAt: at}); err != nil {
		return err
	}
	for i := range posts {
		p := core.Post{ID: newID(), Channel: channel.ID, Author: email, Text: fmt.Sprintf("post %d", i), Date: at}
		if _, _, err := store.AddPost(ctx, p, nil); err != nil {
			return err
		}
	}
	return nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func requests(counts map[string]int) string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s %d", op, counts[op]))
	}
	return strings.Join(parts, ", ")
}
