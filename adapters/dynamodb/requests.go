package dynamodb

// Every request of the store goes through the helpers of this file: one
// transaction (transactOnce, and transact, which retries lost races), one
// update of an item (updateItem), one read of an item (getItem) and one pager
// of queries (queryPage, query); batchWrite is realtime.go's, the only batch.
// Each records the capacity it consumed under the name of the store method.
// Writes return the SDK's error as it is, for the caller to read which
// condition failed; reads return it translated.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func (s *Store) recordCapacity(op string, consumed ...*types.ConsumedCapacity) {
	if s.record == nil {
		return
	}
	units := 0.0
	for _, c := range consumed {
		if c != nil && c.CapacityUnits != nil {
			units += *c.CapacityUnits
		}
	}
	s.record(op, units)
}

func (s *Store) recordTransaction(op string, consumed []types.ConsumedCapacity) {
	if s.record == nil {
		return
	}
	pointers := make([]*types.ConsumedCapacity, len(consumed))
	for i := range consumed {
		pointers[i] = &consumed[i]
	}
	s.recordCapacity(op, pointers...)
}

// Expression values used by several methods.
var (
	valueTrue  = &types.AttributeValueMemberBOOL{Value: true}
	valueFalse = &types.AttributeValueMemberBOOL{Value: false}
	valueOne   = &types.AttributeValueMemberN{Value: "1"}
)

func stringValue(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func boolValue(b bool) types.AttributeValue {
	if b {
		return valueTrue
	}
	return valueFalse
}

func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: stringValue(pk), attrSK: stringValue(sk)}
}

// prefixQuery is a strongly consistent Query of the items of partition pk
// whose sort key starts with prefix, oldest key first.
func (s *Store) prefixQuery(pk, prefix string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringValue(pk), ":prefix": stringValue(prefix)},
		ConsistentRead:            aws.Bool(true),
		ReturnConsumedCapacity:    s.capacity,
	}
}

// unexpiredQuery is prefixQuery filtered to the items whose TTL attribute is
// after now: DynamoDB deletes expired items within days, not at once.
func (s *Store) unexpiredQuery(pk, prefix string, now time.Time) *dynamodb.QueryInput {
	in := s.prefixQuery(pk, prefix)
	in.FilterExpression = aws.String("#expiresAt > :now")
	in.ExpressionAttributeNames["#expiresAt"] = TTLAttribute
	in.ExpressionAttributeValues[":now"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}
	return in
}

// transactOnce sends in as a new transaction and records its capacity as op.
// The SDK fills in a ClientRequestToken, reused by its own retries of that
// request so that a commit whose answer was lost is not applied twice, and
// writes it into the input it was given; each call here sends a copy, so a
// retry after a cancelled attempt is a new transaction with a fresh token,
// never a replay of the cancelled one.
func (s *Store) transactOnce(ctx context.Context, op string, in *dynamodb.TransactWriteItemsInput) error {
	attempt := *in
	attempt.ClientRequestToken = nil
	attempt.ReturnConsumedCapacity = s.capacity
	out, err := s.client.TransactWriteItems(ctx, &attempt)
	if err != nil {
		return err
	}
	s.recordTransaction(op, out.ConsumedCapacity)
	return nil
}

// transact sends in as new transactions until one does not lose to a
// concurrent write (conflictRetry), and records its capacity as op.
func (s *Store) transact(ctx context.Context, op string, in *dynamodb.TransactWriteItemsInput) error {
	return s.retry.do(ctx, func() error { return s.transactOnce(ctx, op, in) })
}

// getItem reads the item at key with a strongly consistent GetItem, only the
// attributes named in projection when there are any, and records its
// capacity as op. The item is nil when there is none.
func (s *Store) getItem(ctx context.Context, op string, key map[string]types.AttributeValue, projection ...string) (map[string]types.AttributeValue, error) {
	in := &dynamodb.GetItemInput{TableName: s.table, Key: key, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: s.capacity}
	if len(projection) > 0 {
		in.ExpressionAttributeNames = map[string]string{}
		placeholders := make([]string, len(projection))
		for i, name := range projection {
			placeholders[i] = "#p" + strconv.Itoa(i)
			in.ExpressionAttributeNames[placeholders[i]] = name
		}
		in.ProjectionExpression = aws.String(strings.Join(placeholders, ", "))
	}
	got, err := s.client.GetItem(ctx, in)
	if err != nil {
		return nil, translate(op, err)
	}
	s.recordCapacity(op, got.ConsumedCapacity)
	return got.Item, nil
}

// queryPage sends in once, one page of at most 1 MB, and records its
// capacity as op.
func (s *Store) queryPage(ctx context.Context, op string, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	out, err := s.client.Query(ctx, in)
	if err != nil {
		return nil, translate(op, err)
	}
	s.recordCapacity(op, out.ConsumedCapacity)
	return out, nil
}

// query runs in and its following pages, handing each item to each, until
// want items (0: all) have been read.
func (s *Store) query(ctx context.Context, op string, in *dynamodb.QueryInput, want int, each func(map[string]types.AttributeValue) error) error {
	read := 0
	for {
		if want > 0 {
			in.Limit = aws.Int32(int32(want - read))
		}
		out, err := s.queryPage(ctx, op, in)
		if err != nil {
			return err
		}
		for _, item := range out.Items {
			if err := each(item); err != nil {
				return err
			}
		}
		read += len(out.Items)
		if len(out.LastEvaluatedKey) == 0 || (want > 0 && read >= want) {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// updateItem sends in once and records its capacity as op.
func (s *Store) updateItem(ctx context.Context, op string, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
	in.TableName = s.table
	in.ReturnConsumedCapacity = s.capacity
	out, err := s.client.UpdateItem(ctx, in)
	if err != nil {
		return nil, err
	}
	s.recordCapacity(op, out.ConsumedCapacity)
	return out, nil
}

// queryAll reads every item of in and its following pages, up to want (0:
// all), each made a domain value by unmarshal; an empty slice when none.
func queryAll[T any](ctx context.Context, s *Store, op string, in *dynamodb.QueryInput, want int, unmarshal func(map[string]types.AttributeValue) (T, error)) ([]T, error) {
	values := []T{}
	err := s.query(ctx, op, in, want, func(item map[string]types.AttributeValue) error {
		v, err := unmarshal(item)
		values = append(values, v)
		return err
	})
	return values, err
}

// storedItem is an item struct of the table that converts to the domain's T.
type storedItem[T any] interface {
	toDomain() (T, error)
}

// unmarshalItem reads item as the item struct I and converts it to the
// domain's T: every item type's one unmarshal.
func unmarshalItem[I storedItem[T], T any](item map[string]types.AttributeValue) (T, error) {
	var it I
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		var zero T
		return zero, fmt.Errorf("unmarshal %T: %w", it, err)
	}
	return it.toDomain()
}
