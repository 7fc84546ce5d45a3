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

// Receipts implements core.ReceiptStore with one GetItem of the
// conversation's receipts item.
func (s *Store) Receipts(ctx context.Context, member, with string) (core.Receipts, error) {
	it, err := s.receipts(ctx, member, with)
	if err != nil || it == nil {
		return core.Receipts{}, err
	}
	return core.Receipts{Watermarks: it.watermarks(member), Theirs: it.watermarks(with), Version: it.Version}, nil
}

// ackAttempts bounds how often an ack starts over after a message or another
// ack changed the conversation while it counted.
const ackAttempts = 8

// Ack implements core.ReceiptStore, from a.Seen (read again only after a
// race). When only Delivered moves, a GetItem proves a.UpTo is a message of
// the conversation and one UpdateItem writes the receipts item on the
// condition that its version is still the one read. When Read moves, recount
// reads a.UpTo and the messages after it (one Query when they reach the
// receipts item within a few) and, only when more follow, in turns, the
// messages the read watermark passes and the contact's Unread; one
// transaction then writes the receipts item on the same condition and the
// member's Unread, and a GetItem reads that contact back for the member's
// other devices.
func (s *Store) Ack(ctx context.Context, a core.Ack) (core.AckResult, error) {
	seen := a.Seen
	for attempt := range ackAttempts {
		if attempt > 0 {
			var err error
			if seen, err = s.Receipts(ctx, a.Member, a.With); err != nil {
				return core.AckResult{}, fmt.Errorf("ack %s: %w", a.UpTo, err)
			}
		}
		result, retry, err := s.ackOnce(ctx, a, seen)
		if !retry {
			return result, err
		}
	}
	return core.AckResult{}, fmt.Errorf("ack %s: %w", a.UpTo, errConflict)
}

// ackOnce tries a once from seen: it counts, then writes on the condition
// that nothing changed since seen. retry reports that something did, and that
// a must start over.
func (s *Store) ackOnce(ctx context.Context, a core.Ack, seen core.Receipts) (result core.AckResult, retry bool, err error) {
	before := seen.Watermarks
	after := before.Advance(a.UpTo, a.Read)
	if after == before {
		return core.AckResult{Watermarks: before}, false, nil
	}
	if after.Read == before.Read {
		if err := s.mustBeMessage(ctx, a); err != nil {
			return core.AckResult{}, false, err
		}
		return s.ackDelivered(ctx, a, seen, after)
	}
	unread, fresh, err := s.recount(ctx, a, before.Read)
	if err != nil {
		return core.AckResult{}, false, err
	}
	if fresh != nil {
		// The count reached the receipts item: start from it, which narrows
		// the window a message can slip into to the count and the write.
		seen, before = *fresh, fresh.Watermarks
		if after = before.Advance(a.UpTo, a.Read); after == before {
			return core.AckResult{Watermarks: before}, false, nil
		}
		if after.Read == before.Read {
			return s.ackDelivered(ctx, a, seen, after)
		}
	}
	receiptsUpdate, err := s.receiptsUpdate(a, seen, after)
	if err != nil {
		return core.AckResult{}, false, err
	}
	items := []types.TransactWriteItem{{Update: receiptsUpdate}, s.unreadUpdate(a, unread)}
	err = s.transactOnce(ctx, "Ack", &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	switch {
	case isConflict(err), errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
		return core.AckResult{}, true, nil
	case errors.As(err, &canceled) && reasonCode(canceled, 1) == reasonConditionalCheck:
		// The member has no contact for With, so no Unread to keep.
		return s.ackDelivered(ctx, a, seen, after)
	case err != nil:
		return core.AckResult{}, false, translate("ack "+a.UpTo, err)
	}
	contact, err := s.Contact(ctx, a.Member, a.With)
	if err != nil {
		return core.AckResult{}, false, fmt.Errorf("ack %s: read contact back: %w", a.UpTo, err)
	}
	return core.AckResult{Watermarks: after, Moved: true, Contact: &contact}, false, nil
}

// mustBeMessage reads the key of a.UpTo: core.ErrNotInConversation when it is
// not a message of the conversation.
func (s *Store) mustBeMessage(ctx context.Context, a core.Ack) error {
	got, err := s.getItem(ctx, "Ack", itemKey(conversationKey(a.Member, a.With), messageSortKey(a.UpTo)), attrPK)
	switch {
	case err != nil:
		return fmt.Errorf("ack %s: %w", a.UpTo, err)
	case got == nil:
		return core.ErrNotInConversation
	}
	return nil
}

// recountSteps are how far an ack's two counts read, taking turns, before
// a.Limit(): the one that can finish does so after reading about as
// much as it must, whichever it is.
var recountSteps = []int{8, 64, 512}

// recount is the Unread a.Member's contact keeps once their read watermark
// moves from read to a.UpTo, as core.Ack.Unread says. It counts two ranges
// in turns of growing size, at most a.Limit() messages each, and stops
// as soon as one gives an exact count: the messages after a.UpTo (exact when
// it reaches the receipts item, which it then returns as the member sees it;
// nil otherwise) and the messages the watermark passes (exact with the
// contact's Unread before, when that is below the limit).
// core.ErrNotInConversation when a.UpTo is not a message of the conversation.
func (s *Store) recount(ctx context.Context, a core.Ack, read string) (int, *core.Receipts, error) {
	var ahead, passed core.UnreadCount
	var fresh *core.Receipts
	found, reached, messagesPassed := false, false, 0
	aheadRange := s.messageRange(a, messageSortKey(a.UpTo), receiptsSortKey, func(item map[string]types.AttributeValue, it messageItem, sk string) error {
		switch {
		case sk == receiptsSortKey:
			var receipts receiptsItem
			if err := attributevalue.UnmarshalMap(item, &receipts); err != nil {
				return fmt.Errorf("unmarshal receipts: %w", err)
			}
			ahead.Complete = true
			fresh = &core.Receipts{Watermarks: receipts.watermarks(a.Member), Theirs: receipts.watermarks(a.With), Version: receipts.Version}
		case it.ID == a.UpTo:
			found = true
		case a.LeavesUnread(it.ID, it.Sender, it.Deleted):
			ahead.Count++
		}
		return nil
	})
	passedRange := s.messageRange(a, messageSortKey(read), messageSortKey(a.UpTo), func(_ map[string]types.AttributeValue, it messageItem, _ string) error {
		if it.ID > read {
			messagesPassed++
			reached = it.ID == a.UpTo
			if a.Passes(it.ID, it.Sender, read, it.Deleted) {
				passed.Count++
			}
		}
		return nil
	})
	before, beforeRead := 0, false
	for _, step := range append(recountSteps, a.Limit()+2) {
		step = min(step, a.Limit()+2)
		if err := aheadRange.readTo(ctx, s, step); err != nil {
			return 0, nil, err
		}
		switch {
		case !found:
			return 0, nil, core.ErrNotInConversation
		case ahead.Complete:
			return a.Unread(ahead, passed, before), fresh, nil
		}
		if err := passedRange.readTo(ctx, s, step); err != nil {
			return 0, nil, err
		}
		passed.Complete = reached && messagesPassed <= a.Limit()
		if passed.Complete && !beforeRead {
			var err error
			if before, err = s.unreadBefore(ctx, a); err != nil {
				return 0, nil, err
			}
			beforeRead = true
		}
		if passed.Complete && before < a.Limit() {
			break
		}
	}
	return a.Unread(core.UnreadCount{}, passed, before), nil, nil
}

// unreadBefore reads the Unread of a.Member's contact for a.With (0 when
// there is none: the write that follows finds that out).
func (s *Store) unreadBefore(ctx context.Context, a core.Ack) (int, error) {
	pk, sk := contactKey(a.Member, a.With)
	got, err := s.getItem(ctx, "Ack", itemKey(pk, sk), attrUnread)
	if err != nil {
		return 0, fmt.Errorf("ack %s: read unread: %w", a.UpTo, err)
	}
	var it struct {
		Unread int `dynamodbav:"unread"`
	}
	if err := attributevalue.UnmarshalMap(got, &it); err != nil {
		return 0, fmt.Errorf("ack %s: unmarshal unread: %w", a.UpTo, err)
	}
	return it.Unread, nil
}

// messageRange is a Query of the items of a conversation from one sort key
// to another (both included), read a turn at a time.
type messageRange struct {
	in   *dynamodb.QueryInput
	each func(item map[string]types.AttributeValue, it messageItem, sk string) error
	read int
	done bool
}

// messageRange returns the range of a's conversation from low to high, whose
// items each is handed in order.
func (s *Store) messageRange(a core.Ack, low, high string, each func(item map[string]types.AttributeValue, it messageItem, sk string) error) *messageRange {
	return &messageRange{each: each, in: &dynamodb.QueryInput{
		TableName:              s.table,
		KeyConditionExpression: aws.String("#pk = :pk AND #sk BETWEEN :low AND :high"),
		// Only what the count needs: the texts may be kilobytes each.
		ProjectionExpression: aws.String("#pk, #sk, #id, #sender, #deleted, #marks, #version"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#sk": attrSK, "#id": attrID, "#sender": "sender", "#deleted": attrDeleted, "#marks": attrMarks, "#version": attrVersion,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": stringValue(conversationKey(a.Member, a.With)), ":low": stringValue(low), ":high": stringValue(high),
		},
		ConsistentRead:         aws.Bool(true),
		ReturnConsumedCapacity: s.capacity,
	}}
}

// readTo reads r on until it has read want items or its end.
func (r *messageRange) readTo(ctx context.Context, s *Store, want int) error {
	for !r.done && r.read < want {
		r.in.Limit = aws.Int32(int32(want - r.read))
		out, err := s.queryPage(ctx, "Ack", r.in)
		if err != nil {
			return fmt.Errorf("ack: count messages: %w", err)
		}
		for _, item := range out.Items {
			var it messageItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return fmt.Errorf("unmarshal message: %w", err)
			}
			sk, _ := item[attrSK].(*types.AttributeValueMemberS)
			if sk == nil {
				return fmt.Errorf("an item without a sort key")
			}
			if err := r.each(item, it, sk.Value); err != nil {
				return err
			}
		}
		r.read += len(out.Items)
		r.done = len(out.LastEvaluatedKey) == 0
		r.in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return nil
}

// receiptsUpdate writes the watermarks of both members, a.Member's after,
// into the receipts item, on the condition that its version is still seen's.
func (s *Store) receiptsUpdate(a core.Ack, seen core.Receipts, after core.Watermarks) (*types.Update, error) {
	marks := map[string]watermarksItem{
		a.Member: {Delivered: after.Delivered, Read: after.Read},
		a.With:   {Delivered: seen.Theirs.Delivered, Read: seen.Theirs.Read},
	}
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
			":version": &types.AttributeValueMemberN{Value: strconv.FormatInt(seen.Version, 10)},
			":next":    &types.AttributeValueMemberN{Value: strconv.FormatInt(seen.Version+1, 10)},
		},
	}
	if seen.Version == 0 {
		// Messages stored before receipts existed: the first ack makes the item.
		update.ConditionExpression = aws.String("attribute_not_exists(#version)")
		delete(update.ExpressionAttributeValues, ":version")
	}
	return update, nil
}

// unreadUpdate sets the Unread of a.Member's contact for a.With, which must
// exist.
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

// ackDelivered writes only the receipts item of an ack, after, on the
// condition that its version is still seen's: an ack that moves Delivered
// alone, or whose member has no contact for With and so no Unread to keep.
func (s *Store) ackDelivered(ctx context.Context, a core.Ack, seen core.Receipts, after core.Watermarks) (core.AckResult, bool, error) {
	update, err := s.receiptsUpdate(a, seen, after)
	if err != nil {
		return core.AckResult{}, false, err
	}
	_, err = s.updateItem(ctx, "Ack", &dynamodb.UpdateItemInput{
		Key:                       update.Key,
		UpdateExpression:          update.UpdateExpression,
		ConditionExpression:       update.ConditionExpression,
		ExpressionAttributeNames:  update.ExpressionAttributeNames,
		ExpressionAttributeValues: update.ExpressionAttributeValues,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return core.AckResult{}, true, nil
	case err != nil:
		return core.AckResult{}, false, translate("ack "+a.UpTo, err)
	}
	return core.AckResult{Watermarks: after, Moved: true}, false, nil
}
