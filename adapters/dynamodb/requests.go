package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// transactWrite sends in as a new transaction. The SDK fills in a
// ClientRequestToken, reused by its own retries of that request so a commit
// whose answer was lost is not applied twice, and writes it into the input it
// was given; each call here sends a copy, so a retry after a cancelled
// attempt is a new transaction with a fresh token, never a replay of the
// cancelled one.
func (s *Store) transactWrite(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	attempt := *in
	attempt.ClientRequestToken = nil
	return s.client.TransactWriteItems(ctx, &attempt)
}

// transactWriteRetrying sends in as new transactions until one does not lose
// to a concurrent write (conflictRetry).
func (s *Store) transactWriteRetrying(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	var out *dynamodb.TransactWriteItemsOutput
	err := s.retry.do(ctx, func() (err error) {
		out, err = s.transactWrite(ctx, in)
		return err
	})
	return out, err
}

// query runs in and its following pages, handing each item to each, until
// want items (0: all) have been read.
func (s *Store) query(ctx context.Context, op string, in *dynamodb.QueryInput, want int, each func(map[string]types.AttributeValue) error) error {
	read := 0
	for {
		if want > 0 {
			in.Limit = aws.Int32(int32(want - read))
		}
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return translate("query", err)
		}
		s.recordCapacity(op, out.ConsumedCapacity)
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

// transact sends in, retrying lost races, and records its capacity as op.
func (s *Store) transact(ctx context.Context, op string, in *dynamodb.TransactWriteItemsInput) error {
	in.ReturnConsumedCapacity = s.capacity
	var out *dynamodb.TransactWriteItemsOutput
	err := s.retry.do(ctx, func() (err error) {
		out, err = s.transactWrite(ctx, in)
		return err
	})
	if err == nil {
		s.recordTransaction(op, out.ConsumedCapacity)
	}
	return err
}

// getItem reads one item with a strongly consistent GetItem; nil when absent.
func (s *Store) getItem(ctx context.Context, op, pk, sk string) (map[string]types.AttributeValue, error) {
	got, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: s.table, Key: itemKey(pk, sk), ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: s.capacity,
	})
	if err != nil {
		return nil, translate(op, err)
	}
	s.recordCapacity(op, got.ConsumedCapacity)
	return got.Item, nil
}
