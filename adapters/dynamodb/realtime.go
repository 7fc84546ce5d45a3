package dynamodb

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// Connection items of the single table:
//
//	item                   pk                  sk
//	connection by user     USER#<user>         CONN#<id>
//	connection by ID       CONN#<id>           CONN#<id>
//
// Both expire through the table's TTL attribute.
const connectionPrefix = "CONN#"

// connectionItem is a core.Connection as stored, under both of its keys.
type connectionItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	ID          string `dynamodbav:"id"`
	User        string `dynamodbav:"user"`
	ConnectedAt string `dynamodbav:"connectedAt"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
	// Visible is notifications.go's, set on the item by user only.
	Visible bool `dynamodbav:"visible,omitempty"`
}

func connectionKeys(c core.Connection) (byUser, byID map[string]types.AttributeValue) {
	pk, _ := contactKey(c.User, "")
	return itemKey(pk, connectionPrefix+c.ID), itemKey(connectionPrefix+c.ID, connectionPrefix+c.ID)
}

func (it connectionItem) toDomain() (core.Connection, error) {
	connectedAt, err := parseTime("connectedAt", it.ConnectedAt)
	if err != nil {
		return core.Connection{}, err
	}
	return core.Connection{ID: it.ID, User: it.User, ConnectedAt: connectedAt, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(), Visible: it.Visible}, nil
}

// AddConnection implements core.ConnectionStore with one BatchWriteItem of
// the connection's two items.
func (s *Store) AddConnection(ctx context.Context, c core.Connection) error {
	byUser, byID := connectionKeys(c)
	var requests []types.WriteRequest
	for _, key := range []map[string]types.AttributeValue{byUser, byID} {
		it := connectionItem{
			PK: key[attrPK].(*types.AttributeValueMemberS).Value, SK: key[attrSK].(*types.AttributeValueMemberS).Value,
			ID: c.ID, User: c.User, ConnectedAt: formatTime(c.ConnectedAt), ExpiresAt: c.ExpiresAt.Unix(),
		}
		item, err := attributevalue.MarshalMap(it)
		if err != nil {
			return fmt.Errorf("add connection: marshal: %w", err)
		}
		requests = append(requests, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	return s.batchWrite(ctx, "AddConnection", requests)
}

// RemoveConnection implements core.ConnectionStore with one BatchWriteItem
// that deletes the connection's two items.
func (s *Store) RemoveConnection(ctx context.Context, c core.Connection) error {
	byUser, byID := connectionKeys(c)
	return s.batchWrite(ctx, "RemoveConnection", []types.WriteRequest{
		{DeleteRequest: &types.DeleteRequest{Key: byUser}},
		{DeleteRequest: &types.DeleteRequest{Key: byID}},
	})
}

// batchWrite writes requests with BatchWriteItem, sending again what DynamoDB
// left unprocessed, a bounded number of times.
func (s *Store) batchWrite(ctx context.Context, op string, requests []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{*s.table: requests}
	for attempt := range 5 {
		out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending, ReturnConsumedCapacity: s.capacity})
		if err != nil {
			return translate(op, err)
		}
		s.recordTransaction(op, out.ConsumedCapacity)
		if len(out.UnprocessedItems) == 0 {
			return nil
		}
		pending = out.UnprocessedItems
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
		}
	}
	return translate(op, core.Errorf(core.ETHROTTLED, "Too many requests. Try again shortly."))
}

// Connection implements core.ConnectionStore with one strongly consistent
// GetItem.
func (s *Store) Connection(ctx context.Context, id string, now time.Time) (core.Connection, error) {
	got, err := s.getItem(ctx, "Connection", itemKey(connectionPrefix+id, connectionPrefix+id))
	if err != nil {
		return core.Connection{}, fmt.Errorf("connection %s: %w", id, err)
	}
	var it connectionItem
	if got != nil {
		if err := attributevalue.UnmarshalMap(got, &it); err != nil {
			return core.Connection{}, fmt.Errorf("unmarshal connection: %w", err)
		}
	}
	if got == nil || it.ExpiresAt <= now.Unix() {
		return core.Connection{}, core.ErrNoSuchConnection
	}
	return it.toDomain()
}

// Connections implements core.ConnectionStore with one Query of the user's
// partition. DynamoDB deletes expired items within days, not at once, so the
// Query filters them out.
func (s *Store) Connections(ctx context.Context, user string, now time.Time) ([]core.Connection, error) {
	pk, _ := contactKey(user, "")
	in := s.prefixQuery(pk, connectionPrefix)
	in.FilterExpression = aws.String("#expiresAt > :now")
	in.ExpressionAttributeNames["#expiresAt"] = TTLAttribute
	in.ExpressionAttributeValues[":now"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}
	connections, err := queryAll(ctx, s, "Connections", in, 0, unmarshalItem[connectionItem, core.Connection])
	if err != nil {
		return nil, fmt.Errorf("connections of a user: %w", err)
	}
	return connections, nil
}
