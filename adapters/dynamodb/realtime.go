package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
//	connections' version   USER#<user>         CONN#
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
	// Version is set on the user's version item only (connectionsVersionKey).
	Version int64 `dynamodbav:"version,omitempty"`
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

// connectionsVersionKey is the key of the item, pk USER#<user> sk CONN#, whose
// version every AddConnection of the user moves: two connects that race
// cannot both keep what they counted, so the cap holds.
func connectionsVersionKey(user string) map[string]types.AttributeValue {
	pk, _ := contactKey(user, "")
	return itemKey(pk, connectionPrefix)
}

// addConnectionAttempts bounds how often AddConnection starts over after a
// concurrent connect of the same user.
const addConnectionAttempts = 8

// AddConnection implements core.ConnectionStore: one Query of the user's
// connections (and of their version item, which sorts first), then one
// transaction that writes c's two items, deletes the two items of each
// connection past max, and moves the version on the condition that it is
// still the one read; a lost race starts over.
func (s *Store) AddConnection(ctx context.Context, c core.Connection, max int) ([]core.Connection, error) {
	for attempt := range addConnectionAttempts {
		if attempt > 0 {
			// Connects of one user that race start over spread out.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(1+rand.IntN(5<<attempt)) * time.Millisecond):
			}
		}
		held, version, err := s.connectionsAndVersion(ctx, c.User, c.ConnectedAt)
		if err != nil {
			return nil, fmt.Errorf("add connection: %w", err)
		}
		evicted := core.Evict(held, max)
		items, err := s.addConnectionItems(c, evicted, version)
		if err != nil {
			return nil, err
		}
		err = s.transactOnce(ctx, "AddConnection", &dynamodb.TransactWriteItemsInput{TransactItems: items})
		var canceled *types.TransactionCanceledException
		switch {
		case err == nil:
			return evicted, nil
		case isConflict(err), errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
			continue
		default:
			return nil, translate("add connection", err)
		}
	}
	return nil, fmt.Errorf("add connection: %w", errConflict)
}

// connectionsAndVersion reads user's connections that have not expired at
// now and the version of their connections, with one Query.
func (s *Store) connectionsAndVersion(ctx context.Context, user string, now time.Time) ([]core.Connection, int64, error) {
	pk, _ := contactKey(user, "")
	var held []core.Connection
	var version int64
	err := s.query(ctx, "AddConnection", s.prefixQuery(pk, connectionPrefix), 0, func(item map[string]types.AttributeValue) error {
		var it connectionItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return fmt.Errorf("unmarshal connection: %w", err)
		}
		if it.SK == connectionPrefix {
			version = it.Version
			return nil
		}
		if it.ExpiresAt <= now.Unix() || it.ID == "" {
			return nil
		}
		connection, err := it.toDomain()
		held = append(held, connection)
		return err
	})
	return held, version, err
}

// addConnectionItems are the transaction of AddConnection: the version item
// first (its condition is the one a race fails), c's items, the evicted
// connections' deletes.
func (s *Store) addConnectionItems(c core.Connection, evicted []core.Connection, version int64) ([]types.TransactWriteItem, error) {
	versionCondition := "attribute_not_exists(#version)"
	values := map[string]types.AttributeValue{":next": &types.AttributeValueMemberN{Value: strconv.FormatInt(version+1, 10)}, ":expires": &types.AttributeValueMemberN{Value: strconv.FormatInt(c.ExpiresAt.Unix(), 10)}}
	if version > 0 {
		versionCondition = "#version = :seen"
		values[":seen"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(version, 10)}
	}
	items := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                 s.table,
		Key:                       connectionsVersionKey(c.User),
		UpdateExpression:          aws.String("SET #version = :next, #expiresAt = :expires"),
		ConditionExpression:       aws.String(versionCondition),
		ExpressionAttributeNames:  map[string]string{"#version": attrVersion, "#expiresAt": TTLAttribute},
		ExpressionAttributeValues: values,
	}}}
	byUser, byID := connectionKeys(c)
	for _, key := range []map[string]types.AttributeValue{byUser, byID} {
		it := connectionItem{
			PK: key[attrPK].(*types.AttributeValueMemberS).Value, SK: key[attrSK].(*types.AttributeValueMemberS).Value,
			ID: c.ID, User: c.User, ConnectedAt: formatTime(c.ConnectedAt), ExpiresAt: c.ExpiresAt.Unix(),
		}
		item, err := attributevalue.MarshalMap(it)
		if err != nil {
			return nil, fmt.Errorf("add connection: marshal: %w", err)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: item}})
	}
	for _, gone := range evicted {
		byUser, byID := connectionKeys(gone)
		items = append(items,
			types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: byUser}},
			types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: byID}})
	}
	return items, nil
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
	in.FilterExpression = aws.String("#expiresAt > :now AND attribute_exists(#id)")
	in.ExpressionAttributeNames["#expiresAt"] = TTLAttribute
	in.ExpressionAttributeNames["#id"] = attrID
	in.ExpressionAttributeValues[":now"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}
	connections, err := queryAll(ctx, s, "Connections", in, 0, unmarshalItem[connectionItem, core.Connection])
	if err != nil {
		return nil, fmt.Errorf("connections of a user: %w", err)
	}
	return connections, nil
}
