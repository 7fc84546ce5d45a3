package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// The receipts item of a conversation, pk CONV#<a>#<b>, sorts right after
// every MSG#<id> of it.
const receiptsSortKey = "MSG$RECEIPTS"

// receiptsItem holds the watermarks of both members of a conversation, and a
// version that every message and every ack moves.
type receiptsItem struct {
	PK      string                    `dynamodbav:"pk"`
	SK      string                    `dynamodbav:"sk"`
	Marks   map[string]watermarksItem `dynamodbav:"marks"`
	Version int64                     `dynamodbav:"version"`
}

type watermarksItem struct {
	Delivered string `dynamodbav:"delivered"`
	Read      string `dynamodbav:"read"`
}

func (it *receiptsItem) watermarks(member string) core.Watermarks {
	w := it.Marks[member]
	return core.Watermarks{Delivered: w.Delivered, Read: w.Read}
}

// bumpReceiptsVersion is the transaction item by which a message moves its
// conversation's receipts version.
func (s *Store) bumpReceiptsVersion(a, b string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 s.table,
		Key:                       itemKey(conversationKey(a, b), receiptsSortKey),
		UpdateExpression:          aws.String("ADD #version :one"),
		ExpressionAttributeNames:  map[string]string{"#version": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": valueOne},
	}}
}

// receipts reads the receipts item of the conversation of a and b, nil when
// it has none yet.
func (s *Store) receipts(ctx context.Context, a, b string) (*receiptsItem, error) {
	got, err := s.getItem(ctx, "Receipts", itemKey(conversationKey(a, b), receiptsSortKey))
	if err != nil {
		return nil, fmt.Errorf("read receipts: %w", err)
	}
	if got == nil {
		return nil, nil
	}
	var it receiptsItem
	if err := attributevalue.UnmarshalMap(got, &it); err != nil {
		return nil, fmt.Errorf("unmarshal receipts: %w", err)
	}
	return &it, nil
}

// ackAttempts bounds how often an ack starts over after a message or another
// ack changed the conversation while it counted.
const ackAttempts = 8

// Ack implements core.ReceiptStore. One Query reads, from a.UpTo to the top of
// the conversation, the messages not yet acknowledged and the receipts item;
// when the watermarks move, one transaction writes the receipts item on the
// condition that its version is still the one read (no message and no other
// ack came in between) and, when Read moved, the member's Unread; a GetItem
// then reads that contact back for the member's other devices.
func (s *Store) Ack(ctx context.Context, a core.Ack) (core.AckResult, error) {
	for range ackAttempts {
		result, retry, err := s.ackOnce(ctx, a)
		if !retry {
			return result, err
		}
	}
	return core.AckResult{}, fmt.Errorf("ack %s: %w", a.UpTo, errConflict)
}

// ackOnce tries a once: it counts, then writes on the condition that nothing
// changed since it counted. retry reports that something did, and that a
// must start over.
func (s *Store) ackOnce(ctx context.Context, a core.Ack) (result core.AckResult, retry bool, err error) {
	counted, err := s.ackCount(ctx, a)
	if err != nil {
		return core.AckResult{}, false, err
	}
	before := counted.receipts.watermarks(a.Member)
	after := before.Advance(a.UpTo, a.Read)
	if after == before {
		return core.AckResult{Watermarks: before}, false, nil
	}
	receiptsUpdate, err := s.receiptsUpdate(a, counted.receipts, after)
	if err != nil {
		return core.AckResult{}, false, err
	}
	items := []types.TransactWriteItem{{Update: receiptsUpdate}}
	readMoved := after.Read != before.Read
	if readMoved {
		items = append(items, s.unreadUpdate(a, counted.newer))
	}
	err = s.transactOnce(ctx, "Ack", &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	switch {
	case isConflict(err), errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
		return core.AckResult{}, true, nil
	case errors.As(err, &canceled) && reasonCode(canceled, 1) == reasonConditionalCheck:
		// The member has no contact for With, so no Unread to keep.
		return s.ackWithoutContact(ctx, a, conversationKey(a.Member, a.With), items[:1], after)
	case err != nil:
		return core.AckResult{}, false, translate("ack "+a.UpTo, err)
	}
	result = core.AckResult{Watermarks: after, Moved: true}
	if readMoved {
		contact, err := s.Contact(ctx, a.Member, a.With)
		if err != nil {
			return core.AckResult{}, false, fmt.Errorf("ack %s: read contact back: %w", a.UpTo, err)
		}
		result.Contact = &contact
	}
	return result, false, nil
}

// ackCounted is what an ack reads before it writes: the conversation's
// receipts item, and how many messages of the other member follow a.UpTo.
type ackCounted struct {
	receipts receiptsItem
	newer    int
}

// ackCount reads, in one Query from a.UpTo to the top of the conversation,
// the receipts item and the messages of the other member after a.UpTo.
// core.ErrNotInConversation when a.UpTo is not a message of it.
func (s *Store) ackCount(ctx context.Context, a core.Ack) (ackCounted, error) {
	in := &dynamodb.QueryInput{
		TableName:              s.table,
		KeyConditionExpression: aws.String("#pk = :pk AND #sk BETWEEN :low AND :high"),
		// Only what the count needs: the texts may be kilobytes each.
		ProjectionExpression: aws.String("#pk, #sk, #id, #sender, #marks, #version"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#sk": attrSK, "#id": attrID, "#sender": "sender", "#marks": attrMarks, "#version": attrVersion,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  stringValue(conversationKey(a.Member, a.With)),
			":low": stringValue(messageSortKey(a.UpTo)), ":high": stringValue(receiptsSortKey),
		},
		ConsistentRead:         aws.Bool(true),
		ReturnConsumedCapacity: s.capacity,
	}
	var counted ackCounted
	found := false
	err := s.query(ctx, "Ack", in, 0, func(item map[string]types.AttributeValue) error {
		if sk, _ := item[attrSK].(*types.AttributeValueMemberS); sk != nil && sk.Value == receiptsSortKey {
			return attributevalue.UnmarshalMap(item, &counted.receipts)
		}
		var it messageItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return fmt.Errorf("unmarshal message: %w", err)
		}
		switch {
		case it.ID == a.UpTo:
			found = true
		case a.LeavesUnread(it.ID, it.Sender):
			counted.newer++
		}
		return nil
	})
	if err != nil {
		return ackCounted{}, fmt.Errorf("ack %s: %w", a.UpTo, err)
	}
	if !found {
		return ackCounted{}, core.ErrNotInConversation
	}
	return counted, nil
}

// receiptsUpdate writes a.Member's watermarks after into the receipts item,
// on the condition that its version is still the one read.
func (s *Store) receiptsUpdate(a core.Ack, receipts receiptsItem, after core.Watermarks) (*types.Update, error) {
	marks := map[string]watermarksItem{}
	for member, w := range receipts.Marks {
		marks[member] = w
	}
	marks[a.Member] = watermarksItem{Delivered: after.Delivered, Read: after.Read}
	marksAV, err := attributevalue.Marshal(marks)
	if err != nil {
		return nil, fmt.Errorf("ack %s: marshal marks: %w", a.UpTo, err)
	}
	update := &types.Update{
		TableName:                s.table,
		Key:                      itemKey(conversationKey(a.Member, a.With), receiptsSortKey),
		UpdateExpression:         aws.String("SET #marks = :marks, #version = :next"),
		ConditionExpression:      aws.String("#version = :version"),
		ExpressionAttributeNames: map[string]string{"#marks": attrMarks, "#version": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":marks":   marksAV,
			":version": &types.AttributeValueMemberN{Value: strconv.FormatInt(receipts.Version, 10)},
			":next":    &types.AttributeValueMemberN{Value: strconv.FormatInt(receipts.Version+1, 10)},
		},
	}
	if receipts.PK == "" {
		// Messages stored before receipts existed: the first ack makes the item.
		update.ConditionExpression = aws.String("attribute_not_exists(#version)")
		delete(update.ExpressionAttributeValues, ":version")
	}
	return update, nil
}

// unreadUpdate sets the Unread of a.Member's contact for a.With, which must
// exist, to the count of messages after what they read.
func (s *Store) unreadUpdate(a core.Ack, unread int) types.TransactWriteItem {
	pk, sk := contactKey(a.Member, a.With)
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 s.table,
		Key:                       itemKey(pk, sk),
		UpdateExpression:          aws.String("SET #unread = :unread"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#unread": attrUnread},
		ExpressionAttributeValues: map[string]types.AttributeValue{":unread": &types.AttributeValueMemberN{Value: strconv.Itoa(unread)}},
	}}
}

// ackWithoutContact writes only the receipts item of an ack.
func (s *Store) ackWithoutContact(ctx context.Context, a core.Ack, pk string, items []types.TransactWriteItem, after core.Watermarks) (core.AckResult, bool, error) {
	update := items[0].Update
	_, err := s.updateItem(ctx, "Ack", &dynamodb.UpdateItemInput{
		TableName:                 s.table,
		Key:                       update.Key,
		UpdateExpression:          update.UpdateExpression,
		ConditionExpression:       update.ConditionExpression,
		ExpressionAttributeNames:  update.ExpressionAttributeNames,
		ExpressionAttributeValues: update.ExpressionAttributeValues,
		ReturnConsumedCapacity:    s.capacity,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return core.AckResult{}, true, nil
	case err != nil:
		return core.AckResult{}, false, translate("ack "+a.UpTo+" in "+pk, err)
	}
	return core.AckResult{Watermarks: after, Moved: true}, false, nil
}
