package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/core"
)

// sdkAttempts is how many times the SDK's retryer tries a request in these
// tests: one retry, with no delay, proves errors reach the store only after it.
const sdkAttempts = 2

// fakeDynamoDB answers every request with one DynamoDB JSON error.
type fakeDynamoDB struct {
	status   int
	body     string
	requests atomic.Int32
}

func (f *fakeDynamoDB) RoundTrip(req *http.Request) (*http.Response, error) {
	f.requests.Add(1)
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: f.status,
		Header:     http.Header{"Content-Type": []string{"application/x-amz-json-1.0"}},
		Body:       io.NopCloser(strings.NewReader(f.body)),
		Request:    req,
	}, nil
}

func errorBody(errorType, extra string) string {
	return fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"injected %s"%s}`, errorType, errorType, extra)
}

// cancellation is the body of a TransactionCanceledException with these
// reasons, each a JSON object.
func cancellation(reasons ...string) string {
	return errorBody("TransactionCanceledException", `,"CancellationReasons":[`+strings.Join(reasons, ",")+`]`)
}

const (
	reasonOK        = `{"Code":"None"}`
	reasonFailed    = `{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}`
	reasonThrottled = `{"Code":"ThrottlingError","Message":"Throughput exceeds the current capacity"}`
	reasonConflict  = `{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}`
)

// blockedContactImage is the old image of a sender's contact that blocks the recipient.
const blockedContactImage = `{"Code":"ConditionalCheckFailed","Item":{"pk":{"S":"USER#a@example.com"},"sk":{"S":"CONTACT#b@example.com"},` +
	`"id":{"S":"c1"},"owner":{"S":"a@example.com"},"email":{"S":"b@example.com"},"name":{"S":"b"},"blocked":{"BOOL":true},` +
	`"request":{"BOOL":false},"createdAt":{"S":"2026-01-02T03:04:05.000000000Z"},"lastActivity":{"S":"2026-01-02T03:04:05.000000000Z"}}}`

// storedMessageImage is the old image of the idempotency marker of a stored message.
const storedMessageImage = `{"Code":"ConditionalCheckFailed","Item":{"pk":{"S":"CONV#a@example.com#b@example.com"},` +
	`"sk":{"S":"CLIENT#a@example.com#client-1"},"id":{"S":"m0"},"sender":{"S":"a@example.com"},"recipient":{"S":"b@example.com"},` +
	`"text":{"S":"first"},"date":{"S":"2026-01-02T03:04:05.000000000Z"},"clientId":{"S":"client-1"}}}`

func newFakeStore(t *testing.T, status int, body string) (*Store, *fakeDynamoDB) {
	t.Helper()
	fake := &fakeDynamoDB{status: status, body: body}
	return newStoreOn(fake), fake
}

// newStoreOn returns a store whose client sends every request to transport.
func newStoreOn(transport http.RoundTripper) *Store {
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials:  credentials.NewStaticCredentialsProvider("fake", "fake", ""),
		HTTPClient:   &http.Client{Transport: transport},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = sdkAttempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		}),
	})
	store := New(client, "parley-fake")
	store.retry = conflictRetry{attempts: 3, base: time.Microsecond, limit: time.Microsecond}
	return store
}

var (
	day0    = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	contact = core.Contact{ID: "c1", Owner: "a@example.com", Email: "b@example.com", Name: "B", CreatedAt: day0, LastActivity: day0}
	request = core.Contact{ID: "c2", Owner: "b@example.com", Email: "a@example.com", Name: "a", Request: true, CreatedAt: day0, LastActivity: day0}
	message = core.Message{ID: "m1", Sender: "a@example.com", Recipient: "b@example.com", Text: "hi", Date: day0, ClientID: "client-1"}
	report  = core.Report{ID: "r1", Reporter: "a@example.com", Reported: "b@example.com", Text: "spam", Date: day0}
)

// storeCalls makes one call of every store method; writes says which write.
var storeCalls = []struct {
	name  string
	write bool
	call  func(context.Context, *Store) error
}{
	{"CreateContact", true, func(ctx context.Context, s *Store) error { _, _, err := s.CreateContact(ctx, contact); return err }},
	{"Contacts", false, func(ctx context.Context, s *Store) error { _, err := s.Contacts(ctx, contact.Owner); return err }},
	{"BlockContact", true, func(ctx context.Context, s *Store) error { _, err := s.BlockContact(ctx, contact); return err }},
	{"UnblockContact", true, func(ctx context.Context, s *Store) error {
		_, err := s.UnblockContact(ctx, contact.Owner, contact.Email)
		return err
	}},
	{"ReportContact", true, func(ctx context.Context, s *Store) error { _, err := s.ReportContact(ctx, report); return err }},
	{"Reports", false, func(ctx context.Context, s *Store) error { _, err := s.Reports(ctx, report.Reported); return err }},
	{"AddMessage", true, func(ctx context.Context, s *Store) error {
		_, err := s.AddMessage(ctx, message, message.Preview(), request, nil)
		return err
	}},
	{"Messages", false, func(ctx context.Context, s *Store) error {
		_, err := s.Messages(ctx, core.MessageQuery{Reader: message.Sender, With: message.Recipient, Before: "m9", Limit: 10})
		return err
	}},
}

func TestEveryMethodTranslatesServiceErrors(t *testing.T) {
	for _, tc := range []struct {
		name         string
		status       int
		body         string
		want         string
		wantRequests func(write bool) int
	}{
		{"ThrottlingIsThrottledAfterTheSDKRetries", 400, errorBody("ThrottlingException", ""), core.ETHROTTLED, sdkRetried},
		{"ProvisionedThroughputExceededIsThrottled", 400, errorBody("ProvisionedThroughputExceededException", ""), core.ETHROTTLED, sdkRetried},
		{"RequestLimitExceededIsThrottled", 400, errorBody("RequestLimitExceeded", ""), core.ETHROTTLED, sdkRetried},
		{"InternalServerErrorIsUnavailable", 500, errorBody("InternalServerError", ""), core.EUNAVAILABLE, sdkRetried},
		{"ValidationIsInternal", 400, errorBody("ValidationException", ""), core.EINTERNAL, once},
		{"ResourceNotFoundIsInternal", 400, errorBody("ResourceNotFoundException", ""), core.EINTERNAL, once},
		{"TransactionConflictIsRetriedThenConflict", 400, errorBody("TransactionConflictException", ""), core.ECONFLICT, retriedIfWrite},
	} {
		for _, call := range storeCalls {
			t.Run(tc.name+"/"+call.name, func(t *testing.T) {
				t.Parallel()
				store, fake := newFakeStore(t, tc.status, tc.body)
				err := call.call(context.Background(), store)
				require.Error(t, err)
				assert.Equal(t, tc.want, core.ErrorCode(err), "%v", err)
				assert.EqualValues(t, tc.wantRequests(call.write), fake.requests.Load())
			})
		}
	}
}

func sdkRetried(bool) int { return sdkAttempts }
func once(bool) int       { return 1 }
func retriedIfWrite(write bool) int {
	if write {
		return 3
	}
	return 1
}

func TestCancelledTransactionsTranslateTheirReasons(t *testing.T) {
	addMessage := func(ctx context.Context, s *Store) error {
		_, err := s.AddMessage(ctx, message, message.Preview(), request, nil)
		return err
	}
	reportContact := func(ctx context.Context, s *Store) error { _, err := s.ReportContact(ctx, report); return err }
	for _, tc := range []struct {
		name         string
		call         func(context.Context, *Store) error
		body         string
		want         string
		wantRequests int32
	}{
		{"ErrNotFoundSendingToANonContact", addMessage, cancellation(reasonOK, reasonFailed, reasonOK, reasonOK, reasonOK), core.ENOTFOUND, 1},
		{"ErrBlockedBySender", addMessage, cancellation(reasonOK, blockedContactImage, reasonOK, reasonOK, reasonOK), core.EBLOCKED, 1},
		{"ErrBlockedByRecipient", addMessage, cancellation(reasonOK, reasonOK, blockedContactImage, reasonOK, reasonOK), core.EBLOCKED, 1},
		{"ErrConflictOnATakenMessageID", addMessage, cancellation(reasonOK, reasonOK, reasonOK, reasonFailed, reasonOK), core.ECONFLICT, 1},
		{"ErrThrottledSending", addMessage, cancellation(reasonThrottled, reasonOK, reasonOK, reasonOK, reasonOK), core.ETHROTTLED, 1},
		{"ErrConflictAfterRetriesSending", addMessage, cancellation(reasonOK, reasonConflict, reasonOK, reasonOK, reasonOK), core.ECONFLICT, 3},
		{"ConflictBeforeBlockIsRetried", addMessage, cancellation(reasonOK, reasonConflict, reasonFailed, reasonOK, reasonOK), core.ECONFLICT, 3},
		{"ErrNotFoundReportingANonContact", reportContact, cancellation(reasonFailed, reasonOK), core.ENOTFOUND, 1},
		{"ErrThrottledReporting", reportContact, cancellation(reasonThrottled, reasonOK), core.ETHROTTLED, 1},
		{"ErrConflictAfterRetriesReporting", reportContact, cancellation(reasonConflict, reasonOK), core.ECONFLICT, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store, fake := newFakeStore(t, 400, tc.body)
			err := tc.call(context.Background(), store)
			assert.Equal(t, tc.want, core.ErrorCode(err), "%v", err)
			assert.Equal(t, tc.wantRequests, fake.requests.Load())
		})
	}
}

func TestRetriedSendGetsTheStoredMessageFromTheCancellation(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
	}{
		{"MarkerOnly", cancellation(storedMessageImage, reasonOK, reasonOK, reasonOK, reasonOK)},
		{"EvenWhenBlockedSince", cancellation(storedMessageImage, blockedContactImage, reasonFailed, reasonOK, reasonOK)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, fake := newFakeStore(t, 400, tc.body)
			sent, err := store.AddMessage(context.Background(), message, message.Preview(), request, nil)
			require.NoError(t, err)
			assert.False(t, sent.Created)
			assert.Equal(t, core.Message{ID: "m0", Sender: message.Sender, Recipient: message.Recipient, Text: "first", Date: day0, ClientID: "client-1"}, sent.Message)
			assert.EqualValues(t, 1, fake.requests.Load())
		})
	}
}

func TestConditionFailuresOfSingleWrites(t *testing.T) {
	body := errorBody("ConditionalCheckFailedException", "")
	t.Run("ErrNotFoundUnblockingANonContact", func(t *testing.T) {
		store, fake := newFakeStore(t, 400, body)
		_, err := store.UnblockContact(context.Background(), contact.Owner, contact.Email)
		assert.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		assert.EqualValues(t, 1, fake.requests.Load())
	})
	t.Run("CreateContactReturnsTheExistingOneFromTheOldImage", func(t *testing.T) {
		store, fake := newFakeStore(t, 400, errorBody("ConditionalCheckFailedException", `,"Item":`+
			strings.TrimSuffix(strings.TrimPrefix(blockedContactImage, `{"Code":"ConditionalCheckFailed","Item":`), "}")))
		existing, created, err := store.CreateContact(context.Background(), contact)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, "c1", existing.ID)
		assert.True(t, existing.Blocked)
		assert.EqualValues(t, 1, fake.requests.Load())
	})
}

// tokenRecorder answers TransactWriteItems with answers in turn and records
// the ClientRequestToken of every request.
type tokenRecorder struct {
	answers []struct {
		status int
		body   string
	}
	mu     sync.Mutex
	tokens []string
}

func (r *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var in struct{ ClientRequestToken string }
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		return nil, err
	}
	_ = req.Body.Close()
	r.mu.Lock()
	answer := r.answers[min(len(r.tokens), len(r.answers)-1)]
	r.tokens = append(r.tokens, in.ClientRequestToken)
	r.mu.Unlock()
	return &http.Response{
		StatusCode: answer.status,
		Header:     http.Header{"Content-Type": []string{"application/x-amz-json-1.0"}},
		Body:       io.NopCloser(strings.NewReader(answer.body)),
		Request:    req,
	}, nil
}

// TestTransactionRetriesUseTheRightToken proves that the SDK's retry of one
// request (whose commit may have happened) resends its token, so DynamoDB
// cannot apply it twice, while the store's retry after a cancelled attempt
// sends a fresh one, so it is not answered with the cancelled outcome.
func TestTransactionRetriesUseTheRightToken(t *testing.T) {
	for _, call := range storeCalls {
		if call.name != "AddMessage" && call.name != "ReportContact" {
			continue
		}
		t.Run(call.name, func(t *testing.T) {
			recorder := &tokenRecorder{answers: []struct {
				status int
				body   string
			}{
				{500, errorBody("InternalServerError", "")},
				{400, cancellation(reasonConflict, reasonOK, reasonOK, reasonOK)},
				{200, `{}`},
			}}
			err := call.call(context.Background(), newStoreOn(recorder))
			recorder.mu.Lock()
			defer recorder.mu.Unlock()
			require.GreaterOrEqual(t, len(recorder.tokens), 3, "%v", err)
			first, sdkRetry, storeRetry := recorder.tokens[0], recorder.tokens[1], recorder.tokens[2]
			assert.NotEmpty(t, first)
			assert.Equal(t, first, sdkRetry, "the SDK resends the token of a request it retries")
			assert.NotEqual(t, sdkRetry, storeRetry, "a retry after a cancellation is a new transaction")
		})
	}
}
