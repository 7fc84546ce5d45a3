package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// The account item, pk USER#<email> sk ACCOUNT, holds a person's send budget
// and their suspension, so that one conditional UpdateItem both spends a send
// and checks the sender is not suspended.
const (
	accountSortKey      = "ACCOUNT"
	attrFullAt          = "fullAt"
	attrSuspended       = "suspended"
	attrSuspendedReason = "suspendedReason"
	attrSuspendedAt     = "suspendedAt"
)

// accountItem is the account item as stored. FullAt is the time its send
// bucket is full again (core.SendLimit.Take), in Unix nanoseconds.
type accountItem struct {
	FullAt          *int64 `dynamodbav:"fullAt"`
	Suspended       bool   `dynamodbav:"suspended"`
	SuspendedReason string `dynamodbav:"suspendedReason"`
	SuspendedAt     string `dynamodbav:"suspendedAt"`
	// The tombstone of a deletion (account.go).
	tombstoneItem
}

// bucketAttribute is the account item's attribute that keeps the fullAt of
// limit's bucket: the send budget's attrFullAt, another's <bucket>FullAt.
func bucketAttribute(limit core.SendLimit) string {
	if limit.Bucket == "" {
		return attrFullAt
	}
	return limit.Bucket + "FullAt"
}

// fullAtOf reads the fullAt of limit's bucket from an account item; nil
// when it has none yet.
func fullAtOf(item map[string]types.AttributeValue, limit core.SendLimit) (*int64, error) {
	n, ok := item[bucketAttribute(limit)].(*types.AttributeValueMemberN)
	if !ok {
		return nil, nil
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", bucketAttribute(limit), err)
	}
	return &v, nil
}

func accountKey(email string) map[string]types.AttributeValue {
	return itemKey(key(userPrefix, email), accountSortKey)
}

func nanosValue(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixNano(), 10)}
}

func durationValue(d time.Duration) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(int64(d), 10)}
}

// bucketHint remembers, per sender, the bucket's fullAt this process last
// wrote, to guess which of Spend's two writes applies. A wrong or missing
// guess costs one request more, never a wrong answer.
type bucketHint struct {
	mu     sync.Mutex
	fullAt map[string]time.Time
}

// maxBucketHints bounds the memory of the hints; past it they start over.
const maxBucketHints = 100_000

func (h *bucketHint) get(sender string) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fullAt[sender]
}

func (h *bucketHint) set(sender string, fullAt time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fullAt == nil || len(h.fullAt) >= maxBucketHints {
		h.fullAt = map[string]time.Time{}
	}
	h.fullAt[sender] = fullAt
}

// Spend implements core.SendBudget with one conditional UpdateItem of the
// sender's account item, which also checks the suspension and the
// tombstone. DynamoDB's update expressions cannot take a maximum, so the
// bucket's two cases are two writes: a bucket that has refilled (fullAt not
// after now) is set to now+interval, a bucket still refilling moves one
// interval later, each under the condition that it is in that case and has
// a send left. Spend tries the case its hint names, the refilled one without
// a hint (any sender slower than one send per interval); when the condition
// fails, the old item it returns tells which case holds, so a wrong guess
// costs one UpdateItem more and a refused send (over budget, suspended)
// never more than one.
func (s *Store) Spend(ctx context.Context, charge core.Charge) error {
	sender, limit := charge.Sender, charge.Limit
	refilling := s.guessRefilling(charge)
	for range 4 {
		update := s.chargeUpdate(charge, refilling)
		out, err := s.updateItem(ctx, "Spend", &dynamodb.UpdateItemInput{
			Key:                                 update.Key,
			UpdateExpression:                    update.UpdateExpression,
			ConditionExpression:                 update.ConditionExpression,
			ExpressionAttributeNames:            update.ExpressionAttributeNames,
			ExpressionAttributeValues:           update.ExpressionAttributeValues,
			ReturnValues:                        types.ReturnValueUpdatedNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		var failed *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &failed):
			if refilling, err = s.chargeRefused(charge, failed.Item); err != nil {
				return err
			}
			continue
		case err != nil:
			return translate("spend a send of "+sender, err)
		}
		if fullAt, err := fullAtOf(out.Attributes, limit); err == nil && fullAt != nil {
			s.hints.set(limit.BucketOf(sender), time.Unix(0, *fullAt))
		}
		return nil
	}
	return fmt.Errorf("spend a send of %s: the bucket keeps changing: %w", sender, errConflict)
}

// guessRefilling is the case of charge's bucket the hint names: refilling
// when the bucket this process last wrote is not full by charge.Now, the
// refilled case without a hint (any sender slower than one send per
// interval).
func (s *Store) guessRefilling(charge core.Charge) bool {
	return s.hints.get(charge.Limit.BucketOf(charge.Sender)).After(charge.Now)
}

// chargeUpdate is the update of the sender's account item that takes
// charge's send in the case refilling names (see Spend), under the condition
// that the bucket is in that case and holds a send and that the sender is not
// suspended: Spend's UpdateItem and one item of a message's transaction.
func (s *Store) chargeUpdate(charge core.Charge, refilling bool) *types.Update {
	limit, now := charge.Limit, charge.Now
	update := &types.Update{
		TableName:                           s.table,
		Key:                                 accountKey(charge.Sender),
		ExpressionAttributeNames:            map[string]string{"#fullAt": bucketAttribute(limit), "#suspended": attrSuspended, "#deleting": attrDeleting},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	// The tombstone, checked in the same write (core.Charge.RefusedBy).
	alive := "attribute_not_exists(#suspended) AND attribute_not_exists(#deleting)"
	if !charge.IssuedAt.IsZero() {
		alive += " AND (attribute_not_exists(#deletedAt) OR #deletedAt < :issuedAt)"
		update.ExpressionAttributeNames["#deletedAt"] = attrDeletedAt
	}
	if refilling {
		update.UpdateExpression = aws.String("SET #fullAt = #fullAt + :interval")
		update.ConditionExpression = aws.String(alive + " AND #fullAt > :now AND #fullAt <= :last")
		update.ExpressionAttributeValues = map[string]types.AttributeValue{
			":interval": durationValue(limit.Interval), ":now": nanosValue(now), ":last": nanosValue(now.Add(limit.Tolerance())),
		}
	} else {
		update.UpdateExpression = aws.String("SET #fullAt = :next")
		update.ConditionExpression = aws.String(alive + " AND (attribute_not_exists(#fullAt) OR #fullAt <= :now)")
		update.ExpressionAttributeValues = map[string]types.AttributeValue{":next": nanosValue(now.Add(limit.Interval)), ":now": nanosValue(now)}
	}
	if !charge.IssuedAt.IsZero() {
		update.ExpressionAttributeValues[":issuedAt"] = nanosValue(charge.IssuedAt)
	}
	return update
}

// chargeRefused reads why chargeUpdate's condition failed from the account
// item as it was, old: the sender is suspended (ESUSPENDED), the bucket holds
// no send (ETHROTTLED), or else the guess of its case was wrong, and the
// right case comes back to try again. The hint learns the bucket.
func (s *Store) chargeRefused(charge core.Charge, old map[string]types.AttributeValue) (refilling bool, err error) {
	var account accountItem
	if err := attributevalue.UnmarshalMap(old, &account); err != nil {
		return false, fmt.Errorf("spend: unmarshal account of %s: %w", charge.Sender, err)
	}
	if charge.RefusedBy(account.tombstoneItem.toDomain()) {
		return false, core.ErrAccountDeleted()
	}
	if account.Suspended {
		return false, core.SuspendedError(core.Suspension{Email: charge.Sender})
	}
	fullAt := charge.Now
	stored, err := fullAtOf(old, charge.Limit)
	if err != nil {
		return false, fmt.Errorf("spend: %w", err)
	}
	if stored != nil {
		fullAt = time.Unix(0, *stored)
	}
	s.hints.set(charge.Limit.BucketOf(charge.Sender), fullAt)
	if _, wait, ok := charge.Limit.Take(fullAt, charge.Now); !ok {
		return false, core.ThrottledError(wait)
	}
	return fullAt.After(charge.Now), nil
}

// charged tells the hint that a transaction took charge's send in the case
// refilling named. A transaction returns no new image, so a refilling bucket
// is known only to be at least one interval past now: enough to guess its
// case next time.
func (s *Store) charged(charge core.Charge, refilling bool) {
	fullAt := charge.Now
	if hint := s.hints.get(charge.Limit.BucketOf(charge.Sender)); refilling && hint.After(fullAt) {
		fullAt = hint
	}
	s.hints.set(charge.Limit.BucketOf(charge.Sender), fullAt.Add(charge.Limit.Interval))
}

// Refund implements core.SendBudget with one conditional UpdateItem that
// moves the bucket one interval back when that leaves it refilling. A bucket
// less than one interval from full is left as it is: it is full before the
// refunded send would have come back.
func (s *Store) Refund(ctx context.Context, sender string, limit core.SendLimit, now time.Time) error {
	_, err := s.updateItem(ctx, "Refund", &dynamodb.UpdateItemInput{
		TableName:                 s.table,
		Key:                       accountKey(sender),
		UpdateExpression:          aws.String("SET #fullAt = #fullAt - :interval"),
		ConditionExpression:       aws.String("#fullAt >= :least"),
		ExpressionAttributeNames:  map[string]string{"#fullAt": bucketAttribute(limit)},
		ExpressionAttributeValues: map[string]types.AttributeValue{":interval": durationValue(limit.Interval), ":least": nanosValue(now.Add(limit.Interval))},
		ReturnConsumedCapacity:    s.capacity,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return nil
	case err != nil:
		return translate("refund a send of "+sender, err)
	}
	return nil
}
