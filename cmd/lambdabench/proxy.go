package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// request is one DynamoDB request that passed the proxy.
type request struct {
	op         string
	start, end time.Time
	status     int
	// read and write are the capacity units DynamoDB Local reported.
	read, write float64
	// items is the number of items of a TransactWriteItems.
	items int
}

// capacityOps are the operations that accept ReturnConsumedCapacity.
var capacityOps = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true, "Query": true, "Scan": true,
	"BatchGetItem": true, "BatchWriteItem": true, "TransactGetItems": true, "TransactWriteItems": true,
}

// readOps are the operations whose units are read units.
var readOps = map[string]bool{"GetItem": true, "Query": true, "Scan": true, "BatchGetItem": true, "TransactGetItems": true}

// dynamoProxy sits between a Lambda and DynamoDB Local: it asks for the
// capacity of every request (ReturnConsumedCapacity TOTAL; DynamoDB Local
// checks no signature, so the changed body passes), and records each
// request's operation, time and units.
type dynamoProxy struct {
	upstream string
	client   *http.Client
	mu       sync.Mutex
	log      []request
	// verbose, when set, receives one line per request.
	verbose io.Writer
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func newDynamoProxy(upstream string) *dynamoProxy {
	// The proxy keeps as many connections to DynamoDB Local open as the
	// functions do to it: with http.DefaultTransport's two idle connections
	// per host, every call making three requests at once (add-message's
	// transaction and connection Queries) opened a new connection to
	// DynamoDB Local on its critical path and closed one after it, which
	// no function does to DynamoDB itself.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	return &dynamoProxy{upstream: strings.TrimSuffix(upstream, "/"), client: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
}

// take returns the requests recorded since the last take.
func (p *dynamoProxy) take() []request {
	p.mu.Lock()
	defer p.mu.Unlock()
	log := p.log
	p.log = nil
	return log
}

func (p *dynamoProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	rec := request{op: op, start: start}
	if capacityOps[op] {
		body, rec.items = askCapacity(body)
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range r.Header {
		if k != "Content-Length" {
			out.Header[k] = v
		}
	}
	res, err := p.client.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	rec.end, rec.status = time.Now(), res.StatusCode
	units := consumedUnits(answer)
	if readOps[op] {
		rec.read = units
	} else {
		rec.write = units
	}
	p.mu.Lock()
	p.log = append(p.log, rec)
	p.mu.Unlock()
	if p.verbose != nil {
		fmt.Fprintf(p.verbose, "dynamodb: %s %d in %s (%s)\n", op, rec.status, rec.end.Sub(start), truncate(answer, 300))
	}
	for k, v := range res.Header {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(answer)
}

// askCapacity sets ReturnConsumedCapacity TOTAL in a request body, and
// counts a transaction's items.
func askCapacity(body []byte) ([]byte, int) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return body, 0
	}
	var items []json.RawMessage
	_ = json.Unmarshal(fields["TransactItems"], &items)
	fields["ReturnConsumedCapacity"] = json.RawMessage(`"TOTAL"`)
	changed, err := json.Marshal(fields)
	if err != nil {
		return body, len(items)
	}
	return changed, len(items)
}

// consumedUnits adds up the capacity units of a response: one
// ConsumedCapacity, or a list of them (transactions, batches).
func consumedUnits(body []byte) float64 {
	var answer struct {
		ConsumedCapacity json.RawMessage
	}
	if json.Unmarshal(body, &answer) != nil || len(answer.ConsumedCapacity) == 0 {
		return 0
	}
	type capacity struct{ CapacityUnits float64 }
	var list []capacity
	if json.Unmarshal(answer.ConsumedCapacity, &list) != nil {
		var one capacity
		_ = json.Unmarshal(answer.ConsumedCapacity, &one)
		list = []capacity{one}
	}
	total := 0.0
	for _, c := range list {
		total += c.CapacityUnits
	}
	return total
}

// rounds is how many requests of one call were waited for one after
// another: requests that overlap in time count once.
func rounds(log []request) int {
	log = slices.Clone(log)
	slices.SortFunc(log, func(a, b request) int { return a.start.Compare(b.start) })
	n := 0
	var end time.Time
	for _, r := range log {
		if n == 0 || r.start.After(end) {
			n++
			end = r.end
		} else if r.end.After(end) {
			end = r.end
		}
	}
	return n
}

// callbackServer stands for the WebSocket API's @connections endpoint: it
// accepts every push and counts them.
type callbackServer struct {
	mu     sync.Mutex
	pushes int
}

func (c *callbackServer) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.pushes
	c.pushes = 0
	return n
}

func (c *callbackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	c.mu.Lock()
	c.pushes++
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
