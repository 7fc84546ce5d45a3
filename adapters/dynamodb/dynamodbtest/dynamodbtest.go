// Package dynamodbtest connects tests and benchmarks to DynamoDB Local, which
// scripts/dynamodb-local.sh starts and announces in PARLEY_DYNAMODB_ENDPOINT,
// and counts the requests a client sends.
package dynamodbtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
)

// Environment variables set by `scripts/dynamodb-local.sh run`.
const (
	EndpointEnv = "PARLEY_DYNAMODB_ENDPOINT"
	RequireEnv  = "PARLEY_REQUIRE_DYNAMODB"
)

// NewClient returns a DynamoDB client for the endpoint of DynamoDB Local, with
// static credentials in us-east-1, sending its requests through transport
// (http.DefaultTransport's settings when nil).
func NewClient(endpoint string, transport http.RoundTripper, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// The race tests send from dozens of goroutines at once; keep their
		// connections instead of opening new ones.
		t.MaxIdleConnsPerHost = 64
		transport = t
	}
	opts := dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("parley", "parley", ""),
		HTTPClient:   &http.Client{Transport: transport, Timeout: 30 * time.Second},
	}
	return dynamodb.New(opts, optFns...)
}

// Endpoint returns the DynamoDB Local endpoint from PARLEY_DYNAMODB_ENDPOINT.
// Without it the test is skipped, or fails when PARLEY_REQUIRE_DYNAMODB=1
// (as in `make test` and CI), so a missing DynamoDB Local never passes silently.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	endpoint := os.Getenv(EndpointEnv)
	if endpoint != "" {
		return endpoint
	}
	const how = "run it under scripts/dynamodb-local.sh run -- go test ./adapters/dynamodb/..."
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("%s is not set but %s=1: DynamoDB Local is required; %s", EndpointEnv, RequireEnv, how)
	}
	tb.Skipf("%s is not set: skipping the tests against DynamoDB Local; %s", EndpointEnv, how)
	return ""
}

// ScratchTable creates a table named prefix plus a random suffix, as
// CreateTable makes it, and returns its name and a function that deletes it:
// the tests' tables and the benches' alike.
func ScratchTable(ctx context.Context, client *dynamodb.Client, prefix string) (string, func() error, error) {
	suffix := make([]byte, 6)
	if _, err := rand.Read(suffix); err != nil {
		return "", nil, err
	}
	name := prefix + hex.EncodeToString(suffix)
	if err := dynamostore.CreateTable(ctx, client, name); err != nil {
		return "", nil, err
	}
	drop := func() error {
		_, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		return err
	}
	return name, drop, nil
}

// Scratch is what a bench on DynamoDB Local starts from: a client of the
// endpoint whose requests Counter counts, and a table of its own.
type Scratch struct {
	Client  *dynamodb.Client
	Counter *RequestCounter
	Table   string
	drop    func() error
}

// NewScratch connects to endpoint through a new RequestCounter and creates a
// scratch table named prefix plus a random suffix (ScratchTable); Close
// deletes the table.
func NewScratch(ctx context.Context, endpoint, prefix string) (*Scratch, error) {
	counter := NewRequestCounter(nil)
	client := NewClient(endpoint, counter)
	table, drop, err := ScratchTable(ctx, client, prefix)
	if err != nil {
		return nil, err
	}
	return &Scratch{Client: client, Counter: counter, Table: table, drop: drop}, nil
}

// Close deletes the scratch table.
func (s *Scratch) Close() error { return s.drop() }

// MustTable creates a table with a name unique to this call, as CreateTable
// makes it, and deletes it when the test ends.
func MustTable(tb testing.TB, client *dynamodb.Client) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, drop, err := ScratchTable(ctx, client, "parley-test-")
	require.NoError(tb, err)
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Logf("delete table %s: %v", name, err)
		}
	})
	return name
}

// RequestCounter is an http.RoundTripper that counts the DynamoDB requests
// passing through it by operation, SDK retries included, and the items their
// reads read, and records the IAM actions they need.
type RequestCounter struct {
	Next      http.RoundTripper
	mu        sync.Mutex
	counts    map[string]int
	actions   map[string]bool
	itemsRead int
	// leadingKeys are the partition keys GetItems and Queries read: what
	// IAM's dynamodb:LeadingKeys names.
	leadingKeys map[string]bool
}

// transactionItemActions are the IAM actions that authorize each kind of item
// of a TransactWriteItems, which has no IAM action of its own.
var transactionItemActions = map[string]string{
	"Put":            "dynamodb:PutItem",
	"Update":         "dynamodb:UpdateItem",
	"Delete":         "dynamodb:DeleteItem",
	"ConditionCheck": "dynamodb:ConditionCheckItem",
}

// NewRequestCounter returns a counter in front of next
// (http.DefaultTransport when nil).
func NewRequestCounter(next http.RoundTripper) *RequestCounter {
	if next == nil {
		next = http.DefaultTransport
	}
	return &RequestCounter{Next: next, counts: map[string]int{}, actions: map[string]bool{}, leadingKeys: map[string]bool{}}
}

// RoundTrip implements http.RoundTripper.
func (c *RequestCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	target := req.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	actions := []string{"dynamodb:" + op}
	if op == "TransactWriteItems" {
		var err error
		if actions, err = transactionActions(req); err != nil {
			return nil, err
		}
	}
	var leadingKey string
	if op == "Query" || op == "GetItem" {
		var err error
		if leadingKey, err = readLeadingKey(req); err != nil {
			return nil, err
		}
	}
	res, err := c.Next.RoundTrip(req)
	items := 0
	if err == nil && res.StatusCode == http.StatusOK && (op == "Query" || op == "GetItem") {
		if items, err = itemsRead(res); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.itemsRead += items
	if leadingKey != "" {
		c.leadingKeys[leadingKey] = true
	}
	for _, action := range actions {
		c.actions[action] = true
	}
	// An attempt that never got DynamoDB's answer (a dropped connection, a
	// 5xx under load) is the SDK's to retry, not a request the store made:
	// counting it made the request counts flaky on a busy machine.
	if err == nil && res.StatusCode < 500 {
		c.counts[op]++
	}
	return res, err
}

// itemsRead reads how many items a Query or GetItem answer read (a Query's
// ScannedCount, the item a GetItem found), leaving its body to be read as it
// was.
func itemsRead(res *http.Response) (int, error) {
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, fmt.Errorf("read answer body: %w", err)
	}
	_ = res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	var out struct {
		ScannedCount *int
		Item         map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return 0, fmt.Errorf("decode answer body: %w", err)
	}
	switch {
	case out.ScannedCount != nil:
		return *out.ScannedCount, nil
	case out.Item != nil:
		return 1, nil
	default:
		return 0, nil
	}
}

// transactionActions reads the item kinds of a TransactWriteItems request,
// leaving its body to be sent as it was.
func transactionActions(req *http.Request) ([]string, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read TransactWriteItems body: %w", err)
	}
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	var in struct{ TransactItems []map[string]json.RawMessage }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("decode TransactWriteItems body: %w", err)
	}
	var actions []string
	for _, item := range in.TransactItems {
		for kind := range item {
			actions = append(actions, transactionItemActions[kind])
		}
	}
	return actions, nil
}

// readLeadingKey returns the partition key a GetItem (its Key's pk) or a
// Query (the :pk of its key condition, as the store writes every Query)
// reads, leaving the body to be sent as it was.
func readLeadingKey(req *http.Request) (string, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return "", fmt.Errorf("read request body: %w", err)
	}
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	type value struct{ S string }
	var in struct {
		Key                       map[string]value
		ExpressionAttributeValues map[string]value
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return "", fmt.Errorf("decode request body: %w", err)
	}
	if pk, ok := in.Key["pk"]; ok {
		return pk.S, nil
	}
	return in.ExpressionAttributeValues[":pk"].S, nil
}

// LeadingKeys returns the partition keys the GetItems and Queries since the
// last Reset read, in no particular order.
func (c *RequestCounter) LeadingKeys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.leadingKeys))
	for key := range c.leadingKeys {
		keys = append(keys, key)
	}
	return keys
}

// Actions returns the IAM actions the requests since the last Reset needed.
func (c *RequestCounter) Actions() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	actions := make([]string, 0, len(c.actions))
	for action := range c.actions {
		actions = append(actions, action)
	}
	return actions
}

// Counts returns the requests counted since the last Reset, by operation.
func (c *RequestCounter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	counts := make(map[string]int, len(c.counts))
	for op, n := range c.counts {
		counts[op] = n
	}
	return counts
}

// Total returns the number of requests counted since the last Reset.
func (c *RequestCounter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for _, n := range c.counts {
		total += n
	}
	return total
}

// ItemsRead returns how many items the Queries and GetItems since the last
// Reset read.
func (c *RequestCounter) ItemsRead() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.itemsRead
}

// Reset forgets every count.
func (c *RequestCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.counts)
	clear(c.actions)
	clear(c.leadingKeys)
	c.itemsRead = 0
}
