package lambdas_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
)

// fault is what the faultInjector does to a DynamoDB request.
type fault int

const (
	// unavailable answers 500 InternalServerError without asking DynamoDB.
	unavailable fault = iota + 1
	// answerLost lets DynamoDB apply the request, then drops its answer.
	answerLost
	// throttled answers 400 ThrottlingException without asking DynamoDB.
	throttled
	// conflicting cancels a transaction as lost to a concurrent one.
	conflicting
)

// faultInjector is an http.RoundTripper in front of DynamoDB Local that
// injects a fault into every request of one operation while it is armed.
type faultInjector struct {
	next http.RoundTripper
	mu   sync.Mutex
	op   string
	kind fault
	hits int
}

func (f *faultInjector) arm(op string, kind fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op, f.kind, f.hits = op, kind, 0
}

// clear disarms the injector and returns how many requests it failed.
func (f *faultInjector) clear() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.op = ""
	return f.hits
}

func (f *faultInjector) RoundTrip(req *http.Request) (*http.Response, error) {
	target := req.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	f.mu.Lock()
	kind := fault(0)
	if f.op == op {
		kind = f.kind
		f.hits++
	}
	f.mu.Unlock()
	errorResponse := func(status int, body string) *http.Response {
		return &http.Response{
			StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
			Body:    io.NopCloser(strings.NewReader(body)),
			Request: req,
		}
	}
	switch kind {
	case unavailable:
		return errorResponse(http.StatusInternalServerError, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}`), nil
	case throttled:
		return errorResponse(http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"injected"}`), nil
	case conflicting:
		return errorResponse(http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"injected",`+
			`"CancellationReasons":[{"Code":"None"},{"Code":"TransactionConflict","Message":"injected"}]}`), nil
	case answerLost:
		res, err := f.next.RoundTrip(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
		}
		return nil, fmt.Errorf("injected: connection reset after the request was sent")
	default:
		return f.next.RoundTrip(req)
	}
}

// TestStoreFaultsAnswerRetryLaterAndHalfWriteNothing sends a message through
// the REST handler, the core and the DynamoDB store to DynamoDB Local while
// each fault is injected below the store, then again once it has cleared.
func TestStoreFaultsAnswerRetryLaterAndHalfWriteNothing(t *testing.T) {
	injector := &faultInjector{next: http.DefaultTransport}
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), injector, func(o *dynamodb.Options) {
		// The SDK's own retries, made quick; they see every injected fault too.
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxBackoff = 20 * time.Millisecond
			o.RateLimiter = ratelimit.None
		})
	})
	table := dynamodbtest.MustTable(t, client)
	store := dynamostore.New(client, table)
	limit, err := core.NewSendLimit(core.DefaultSendBurst, core.DefaultSendPerMinute)
	require.NoError(t, err)
	options, err := lambdas.BudgetOptions(store, limit)
	require.NoError(t, err)
	handler := lambdas.NewHandler(lambdas.NewService(store, options...), lambdas.Config{AllowedOrigin: "https://chat.example.com"}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()

	call := func(t *testing.T, route, email, body string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		res, err := handler.Route(route)(ctx, events.APIGatewayV2HTTPRequest{
			Body: body,
			RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-" + route, Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"email": email, "email_verified": "true"}},
			}},
		})
		require.NoError(t, err)
		return res
	}

	for i, tc := range []struct {
		name       string
		op         string
		kind       fault
		wantStatus int
		wantCode   string
		// stored says whether the write happened though its answer was lost.
		stored bool
	}{
		// The send budget is spent inside the send's transaction: its faults
		// are the transaction's.
		{"UnavailableSend", "TransactWriteItems", unavailable, http.StatusServiceUnavailable, core.EUNAVAILABLE, false},
		{"AnswerLost", "TransactWriteItems", answerLost, http.StatusServiceUnavailable, core.EUNAVAILABLE, true},
		{"ThrottledSend", "TransactWriteItems", throttled, http.StatusTooManyRequests, core.ETHROTTLED, false},
		{"LostConflict", "TransactWriteItems", conflicting, http.StatusConflict, core.ECONFLICT, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alice, bob := fmt.Sprintf("alice%d@example.com", i), fmt.Sprintf("bob%d@example.com", i)
			res := call(t, "add-contact", alice, `{"email":"`+bob+`","name":"Bob"}`)
			require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)
			res = call(t, "add-contact", bob, `{"email":"`+alice+`","name":"Alice"}`)
			require.Equal(t, http.StatusCreated, res.StatusCode, res.Body)
			send := `{"recipientNamespace":"` + bob + `","message":"hello","clientId":"c-1"}`

			injector.arm(tc.op, tc.kind)
			res = call(t, "add-message", alice, send)
			hits := injector.clear()
			require.Positive(t, hits, "the fault was injected")
			assert.Equal(t, tc.wantStatus, res.StatusCode, res.Body)
			assert.Equal(t, "1", res.Headers["Retry-After"])
			var body struct{ Code, Message string }
			require.NoError(t, json.Unmarshal([]byte(res.Body), &body))
			assert.Equal(t, tc.wantCode, body.Code)
			assert.NotContains(t, res.Body, "injected", "no internals in the body")

			page, err := store.Messages(ctx, core.MessageQuery{Reader: alice, With: bob, Limit: 10})
			require.NoError(t, err)
			mine, err := store.Contact(ctx, alice, bob)
			require.NoError(t, err)
			theirs, err := store.Contact(ctx, bob, alice)
			require.NoError(t, err)
			if tc.stored {
				require.Len(t, page.Messages, 1, "the write happened whole")
				assert.NotNil(t, mine.LastMessage)
				assert.Equal(t, 1, theirs.Unread)
			} else {
				assert.Empty(t, page.Messages, "no message")
				assert.Nil(t, mine.LastMessage, "no preview on the sender's contact")
				assert.Nil(t, theirs.LastMessage, "no preview on the recipient's contact")
				assert.Zero(t, theirs.Unread, "nothing unread")
			}

			res = call(t, "add-message", alice, send)
			wantStatus := http.StatusCreated
			if tc.stored {
				wantStatus = http.StatusOK
			}
			require.Equal(t, wantStatus, res.StatusCode, "the same request once the fault has cleared: %s", res.Body)
			page, err = store.Messages(ctx, core.MessageQuery{Reader: alice, With: bob, Limit: 10})
			require.NoError(t, err)
			require.Len(t, page.Messages, 1, "stored once")
			var message struct{ ID, ClientID string }
			require.NoError(t, json.Unmarshal([]byte(res.Body), &message))
			assert.Equal(t, page.Messages[0].ID, message.ID)
			theirs, err = store.Contact(ctx, bob, alice)
			require.NoError(t, err)
			assert.Equal(t, 1, theirs.Unread, "counted once")
			assert.Equal(t, "c-1", message.ClientID)
		})
	}
}
