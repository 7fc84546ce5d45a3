package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/parley-chat/parley/core"
)

// Cancellation reason codes of a TransactionCanceledException.
const (
	reasonNone                = "None"
	reasonConditionalCheck    = "ConditionalCheckFailed"
	reasonTransactionConflict = "TransactionConflict"
	reasonThrottling          = "ThrottlingError"
	reasonThroughputExceeded  = "ProvisionedThroughputExceeded"
)

// conflictRetry bounds the retries after a write lost to a concurrent
// transaction on the same item, which neither DynamoDB nor the SDK retries.
// The delays are drawn at random below a limit that doubles from base up to
// limit, so writers that collided spread out: at most some 1.1 s in all.
type conflictRetry struct {
	attempts    int
	base, limit time.Duration
}

var defaultConflictRetry = conflictRetry{attempts: 10, base: 5 * time.Millisecond, limit: 250 * time.Millisecond}

// errConflict is returned when every attempt lost to a concurrent write.
var errConflict = core.Errorf(core.ECONFLICT, "The write lost to concurrent changes. Try again.")

// throttlingCodes are the error codes DynamoDB answers with when asked to slow
// down; the SDK has already retried them when they reach the store.
var throttlingCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"Throttling":                             true,
	"RequestLimitExceeded":                   true,
}

// translate turns an error of a DynamoDB call that no method-specific rule
// explained into the domain's error, keeping the SDK's error in the chain for
// the logs: throttling becomes ETHROTTLED, a lost race ECONFLICT, anything
// else stays an internal error.
func translate(op string, err error) error {
	var apiErr smithy.APIError
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &canceled) && hasReason(canceled, reasonThrottling, reasonThroughputExceeded):
		return fmt.Errorf("%s: %w: %w", op, core.Errorf(core.ETHROTTLED, "Too many requests. Try again shortly."), err)
	case errors.As(err, &apiErr) && throttlingCodes[apiErr.ErrorCode()]:
		return fmt.Errorf("%s: %w: %w", op, core.Errorf(core.ETHROTTLED, "Too many requests. Try again shortly."), err)
	case isConflict(err):
		return fmt.Errorf("%s: %w: %w", op, errConflict, err)
	case isUnavailable(err):
		return fmt.Errorf("%s: %w: %w", op, errUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

// errUnavailable is returned when DynamoDB could not be reached or answered
// that it cannot serve now, after the SDK's own retries.
var errUnavailable = core.Errorf(core.EUNAVAILABLE, "The service is unavailable for a moment. Try again shortly.")

// unavailableCodes are the error codes of a DynamoDB that cannot serve now.
var unavailableCodes = map[string]bool{
	"InternalServerError": true,
	"ServiceUnavailable":  true,
	"InternalFailure":     true,
}

// isUnavailable reports whether err says DynamoDB could not be reached (the
// request was never answered) or answered with a server error: the request
// may succeed when tried again later, and, a write being one request, it
// either happened whole or not at all.
func isUnavailable(err error) bool {
	var apiErr smithy.APIError
	var sendErr *smithyhttp.RequestSendError
	var responseErr *smithyhttp.ResponseError
	switch {
	case errors.As(err, &apiErr) && unavailableCodes[apiErr.ErrorCode()]:
		return true
	case errors.As(err, &responseErr) && responseErr.HTTPStatusCode() >= 500:
		return true
	case errors.As(err, &sendErr), errors.Is(err, context.DeadlineExceeded):
		return true
	default:
		return false
	}
}

// isConflict reports whether err is a write that lost to a concurrent
// transaction on the same item, and so may succeed when tried again.
func isConflict(err error) bool {
	var conflict *types.TransactionConflictException
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &conflict):
		return true
	case errors.As(err, &canceled):
		return hasReason(canceled, reasonTransactionConflict)
	default:
		return false
	}
}

func hasReason(canceled *types.TransactionCanceledException, codes ...string) bool {
	for _, r := range canceled.CancellationReasons {
		for _, code := range codes {
			if r.Code != nil && *r.Code == code {
				return true
			}
		}
	}
	return false
}

// reasonCode returns the cancellation code of the i-th item of a cancelled
// transaction, "None" when DynamoDB gave none for it.
func reasonCode(canceled *types.TransactionCanceledException, i int) string {
	if i >= len(canceled.CancellationReasons) || canceled.CancellationReasons[i].Code == nil {
		return reasonNone
	}
	return *canceled.CancellationReasons[i].Code
}

// do calls write until it returns anything but a conflict, at most
// r.attempts times, and returns the last error.
func (r conflictRetry) do(ctx context.Context, write func() error) error {
	var err error
	for attempt := range r.attempts {
		if err = write(); err == nil || !isConflict(err) {
			return err
		}
		if attempt == r.attempts-1 {
			break
		}
		timer := time.NewTimer(rand.N(min(r.limit, r.base<<attempt)) + time.Millisecond)
		select {
		case <-ctx.Done():
			timer.Stop()
			return errors.Join(err, ctx.Err())
		case <-timer.C:
		}
	}
	return err
}
