package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// Channels live in one partition each, so one Query pages a channel newest
// first and one transaction keeps its Seq with its posts:
//
//	item                 pk               sk
//	channel              CHAN#<id>        CHANNEL
//	publisher            CHAN#<id>        PUB#<email>
//	post                 CHAN#<id>        POST#<id>
//	idempotency marker   CHAN#<id>        CLIENT#<author>#<clientId>
//	owner's index entry  USER#<owner>     OWNS#<id>
//
// The sort keys of posts are the only ones that begin with "POST#", which is
// what the table stream's filter to the feed Lambda matches.

var _ core.ChannelStore = (*Store)(nil)

const (
	channelPrefix   = "CHAN#"
	channelSortKey  = "CHANNEL"
	publisherPrefix = "PUB#"
	// ownedPrefix begins the sort keys of the index of a person's channels
	// in their user partition.
	ownedPrefix = "OWNS#"
	// PostSortKeyPrefix begins the sort key of every post and of nothing
	// else: the stream filter of the feed Lambda (terraform/feeds.tf).
	PostSortKeyPrefix = "POST#"
	// postsEnd sorts after every post's sort key and before any other
	// ("$" follows "#").
	postsEnd = "POST$"
	attrSeq  = "seq"
)

func channelKey(id string) string          { return key(channelPrefix, id) }
func publisherSortKey(email string) string { return key(publisherPrefix, email) }
func postSortKey(id string) string         { return key(PostSortKeyPrefix, id) }
func ownedChannelKey(owner, id string) map[string]types.AttributeValue {
	return itemKey(key(userPrefix, owner), key(ownedPrefix, id))
}
func postClientSortKey(author, clientID string) string {
	return key(clientPrefix, author, clientID)
}

// ChannelOfPostKey returns the channel of the post item with keys pk and sk,
// as a stream record names them, and false for any other item.
func ChannelOfPostKey(pk, sk string) (string, bool) {
	id, ok := strings.CutPrefix(pk, channelPrefix)
	if !ok || !strings.HasPrefix(sk, PostSortKeyPrefix) || !core.ValidChannelID(id) {
		return "", false
	}
	return id, true
}

// channelItem is a core.Channel as stored.
type channelItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	ID        string `dynamodbav:"id"`
	Owner     string `dynamodbav:"owner"`
	Title     string `dynamodbav:"title"`
	CreatedAt string `dynamodbav:"createdAt"`
	Seq       int64  `dynamodbav:"seq"`
	Deleted   bool   `dynamodbav:"deleted,omitempty"`
}

func (it channelItem) toDomain() (core.Channel, error) {
	if it.Deleted {
		return core.Channel{ID: it.ID, Seq: it.Seq, Deleted: true}, nil
	}
	createdAt, err := parseTime(attrCreatedAt, it.CreatedAt)
	return core.Channel{ID: it.ID, Owner: it.Owner, Title: it.Title, CreatedAt: createdAt, Seq: it.Seq}, err
}

// ownedItem is an entry of the index of a person's channels.
type ownedItem struct {
	PK      string `dynamodbav:"pk"`
	SK      string `dynamodbav:"sk"`
	Channel string `dynamodbav:"channel"`
}

func (it ownedItem) toDomain() (string, error) { return it.Channel, nil }

// publisherItem is a core.Publisher as stored.
type publisherItem struct {
	PK      string `dynamodbav:"pk"`
	SK      string `dynamodbav:"sk"`
	Channel string `dynamodbav:"channel"`
	Email   string `dynamodbav:"email"`
	Name    string `dynamodbav:"name"`
	AddedAt string `dynamodbav:"addedAt"`
}

func (it publisherItem) toDomain() (core.Publisher, error) {
	addedAt, err := parseTime("addedAt", it.AddedAt)
	return core.Publisher{Channel: it.Channel, Email: it.Email, Name: it.Name, AddedAt: addedAt}, err
}

// postItem is a core.Post as stored; its idempotency marker is a copy with
// the marker's sort key and an ExpiresAt, as for messages.
type postItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	ID         string `dynamodbav:"id"`
	Channel    string `dynamodbav:"channel"`
	Author     string `dynamodbav:"author"`
	AuthorName string `dynamodbav:"authorName"`
	Text       string `dynamodbav:"text"`
	Date       string `dynamodbav:"date"`
	ClientID   string `dynamodbav:"clientId,omitempty"`
	ExpiresAt  int64  `dynamodbav:"expiresAt,omitempty"`
}

func newPostItem(p core.Post) postItem {
	return postItem{
		PK: channelKey(p.Channel), SK: postSortKey(p.ID), ID: p.ID, Channel: p.Channel, Author: p.Author,
		AuthorName: p.AuthorName, Text: p.Text, Date: formatTime(p.Date), ClientID: p.ClientID,
	}
}

func (it postItem) toDomain() (core.Post, error) {
	date, err := parseTime("date", it.Date)
	return core.Post{
		ID: it.ID, Channel: it.Channel, Author: it.Author, AuthorName: it.AuthorName,
		Text: it.Text, Date: date, ClientID: it.ClientID,
	}, err
}

// unmarshalPost reads a post item.
var unmarshalPost = unmarshalItem[postItem, core.Post]

// bumpSeq is the transaction item that adds one to the Seq of channel id,
// which must exist and not be deleted (so no post slips in behind its
// erasure).
func (s *Store) bumpSeq(id string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 s.table,
		Key:                       itemKey(channelKey(id), channelSortKey),
		UpdateExpression:          aws.String("ADD #seq :one"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND attribute_not_exists(#deleted)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#seq": attrSeq, "#deleted": attrDeleted},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": valueOne},
	}}
}

// CreateChannel implements core.ChannelStore in one transaction that puts
// the channel, where none has its name, its owner as a publisher and the
// channel's entry in the owner's index.
func (s *Store) CreateChannel(ctx context.Context, c core.Channel, owner core.Publisher) error {
	channel, err := attributevalue.MarshalMap(channelItem{
		PK: channelKey(c.ID), SK: channelSortKey, ID: c.ID, Owner: c.Owner, Title: c.Title, CreatedAt: formatTime(c.CreatedAt),
	})
	if err != nil {
		return fmt.Errorf("create channel %s: marshal: %w", c.ID, err)
	}
	publisher, err := attributevalue.MarshalMap(publisherItem{
		PK: channelKey(c.ID), SK: publisherSortKey(owner.Email), Channel: c.ID, Email: owner.Email, Name: owner.Name, AddedAt: formatTime(owner.AddedAt),
	})
	if err != nil {
		return fmt.Errorf("create channel %s: marshal owner: %w", c.ID, err)
	}
	owned := ownedChannelKey(c.Owner, c.ID)
	owned["channel"] = stringValue(c.ID)
	err = s.transact(ctx, "CreateChannel", &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName: s.table, Item: channel,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK},
		}},
		{Put: &types.Put{TableName: s.table, Item: publisher}},
		{Put: &types.Put{TableName: s.table, Item: owned}},
	}})
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &canceled) && reasonCode(canceled, 0) == reasonConditionalCheck:
		return core.ErrChannelTaken(c.ID)
	case err != nil:
		return translate("create channel "+c.ID, err)
	}
	return nil
}

// Channel implements core.ChannelStore with one GetItem.
func (s *Store) Channel(ctx context.Context, id string) (core.Channel, error) {
	item, err := s.getItem(ctx, "Channel", itemKey(channelKey(id), channelSortKey))
	if err != nil {
		return core.Channel{}, fmt.Errorf("channel %s: %w", id, err)
	}
	if item == nil {
		return core.Channel{}, core.ErrNoChannel(id)
	}
	return unmarshalItem[channelItem, core.Channel](item)
}

// PutPublisher implements core.ChannelStore with one UpdateItem that keeps
// the first AddedAt, after one GetItem of the channel (a channel is deleted
// only with its owner's account, which no longer adds publishers by then).
func (s *Store) PutPublisher(ctx context.Context, p core.Publisher) (core.Publisher, error) {
	if c, err := s.Channel(ctx, p.Channel); err != nil {
		return core.Publisher{}, err
	} else if c.Deleted {
		return core.Publisher{}, core.ErrNoChannel(p.Channel)
	}
	out, err := s.updateItem(ctx, "PutPublisher", &dynamodb.UpdateItemInput{
		TableName:        s.table,
		Key:              itemKey(channelKey(p.Channel), publisherSortKey(p.Email)),
		UpdateExpression: aws.String("SET #channel = :channel, #email = :email, #name = :name, #addedAt = if_not_exists(#addedAt, :addedAt)"),
		ExpressionAttributeNames: map[string]string{
			"#channel": "channel", "#email": attrEmail, "#name": attrName, "#addedAt": "addedAt",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":channel": stringValue(p.Channel), ":email": stringValue(p.Email), ":name": stringValue(p.Name),
			":addedAt": stringValue(formatTime(p.AddedAt)),
		},
		ReturnValues:           types.ReturnValueAllNew,
		ReturnConsumedCapacity: s.capacity,
	})
	if err != nil {
		return core.Publisher{}, translate("put publisher of "+p.Channel, err)
	}
	return unmarshalItem[publisherItem, core.Publisher](out.Attributes)
}

// Publisher implements core.ChannelStore with one GetItem.
func (s *Store) Publisher(ctx context.Context, channel, email string) (core.Publisher, error) {
	item, err := s.getItem(ctx, "Publisher", itemKey(channelKey(channel), publisherSortKey(email)))
	if err != nil {
		return core.Publisher{}, fmt.Errorf("publisher of %s: %w", channel, err)
	}
	if item == nil {
		return core.Publisher{}, core.ErrNotAPublisher(email, channel)
	}
	return unmarshalItem[publisherItem, core.Publisher](item)
}

// AddPost implements core.ChannelStore in one transaction: the idempotency
// marker (when p has a ClientID), the channel's Seq (the channel must exist),
// which also keeps the channel's newest post ID so that posts commit in ID
// order (as messages do, messages.go), the post, a check that the author is
// still a publisher under the name the post carries, and, with a charge, the
// author's account item, which takes the send (budget.go). The name comes
// from what this process last saw of the publisher (publisherNames), read
// with one GetItem before the transaction only the first time. A retry's
// stored post comes back from the marker's old image; a second transaction
// only when a guess was stale (the name, the bucket's case).
func (s *Store) AddPost(ctx context.Context, p core.Post, charge *core.Charge) (core.Post, bool, error) {
	for range 4 {
		name, known := s.publisherNames.get(p.Channel, p.Author)
		if !known {
			publisher, err := s.Publisher(ctx, p.Channel, p.Author)
			if err != nil {
				return core.Post{}, false, err
			}
			name = publisher.Name
			s.publisherNames.set(p.Channel, p.Author, name)
		}
		p.AuthorName = name
		// chargeRefused taught the hint the bucket's case when it was wrong.
		refilling := charge != nil && s.guessRefilling(*charge)
		stored, created, again, err := s.addPostOnce(ctx, p, charge, refilling)
		if !again {
			return stored, created, err
		}
	}
	return core.Post{}, false, fmt.Errorf("add post %s: the publisher or the send budget keeps changing: %w", p.ID, errConflict)
}

// publisherNames remembers, per channel and author, the name this process
// last saw the author publish under: a post needs it in its item, and
// checks it in its transaction, so a stale name costs one transaction more,
// never a wrong one.
type publisherNames struct {
	mu    sync.Mutex
	names map[[2]string]string
}

func (n *publisherNames) get(channel, email string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	name, ok := n.names[[2]string{channel, email}]
	return name, ok
}

// set remembers name; an empty name forgets. Past maxBucketHints names the
// memory starts over, as the budget's hints do.
func (n *publisherNames) set(channel, email, name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.names == nil || len(n.names) >= maxBucketHints {
		n.names = map[[2]string]string{}
	}
	if name == "" {
		delete(n.names, [2]string{channel, email})
		return
	}
	n.names[[2]string{channel, email}] = name
}

// publisherCheck is the transaction item that checks p.Author publishes in
// p.Channel under p.AuthorName.
func (s *Store) publisherCheck(p core.Post) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                           s.table,
		Key:                                 itemKey(channelKey(p.Channel), publisherSortKey(p.Author)),
		ConditionExpression:                 aws.String("attribute_exists(#pk) AND #name = :name"),
		ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#name": attrName},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":name": stringValue(p.AuthorName)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

// addPostOnce sends AddPost's transaction once, taking charge in the case
// refilling names; again is true when that guess was wrong.
func (s *Store) addPostOnce(ctx context.Context, p core.Post, charge *core.Charge, refilling bool) (stored core.Post, created, again bool, err error) {
	it := newPostItem(p)
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return core.Post{}, false, false, fmt.Errorf("add post %s: marshal: %w", p.ID, err)
	}
	var items []types.TransactWriteItem
	markerAt, chargeAt := -1, -1
	if p.ClientID != "" {
		it.SK, it.ExpiresAt = postClientSortKey(p.Author, p.ClientID), p.Date.Add(core.ClientIDWindow).Unix()
		marker, err := attributevalue.MarshalMap(it)
		if err != nil {
			return core.Post{}, false, false, fmt.Errorf("add post %s: marshal marker: %w", p.ID, err)
		}
		markerAt = len(items)
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName:                           s.table,
			Item:                                marker,
			ConditionExpression:                 aws.String("attribute_not_exists(#pk) OR #expiresAt <= :now"),
			ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#expiresAt": TTLAttribute},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(p.Date.Unix(), 10)}},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	channelAt := len(items)
	items = append(items, s.channelOrder(p), types.TransactWriteItem{Put: &types.Put{
		TableName: s.table, Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}}, s.publisherCheck(p))
	publisherAt := channelAt + 2
	if charge != nil {
		chargeAt = len(items)
		items = append(items, types.TransactWriteItem{Update: s.chargeUpdate(*charge, refilling)})
	}
	err = s.transact(ctx, "AddPost", &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	failed := func(i int) bool { return i >= 0 && reasonCode(canceled, i) == reasonConditionalCheck }
	switch {
	case err == nil:
		if charge != nil {
			s.charged(*charge, refilling)
		}
		return p, true, false, nil
	case isConflict(err) || !errors.As(err, &canceled):
		return core.Post{}, false, false, translate("add post "+p.ID, err)
	case failed(markerAt):
		stored, err := unmarshalPost(canceled.CancellationReasons[markerAt].Item)
		if err != nil {
			return core.Post{}, false, false, fmt.Errorf("add post %s: stored post: %w", p.ID, err)
		}
		return stored, false, false, nil
	case failed(channelAt) && (canceled.CancellationReasons[channelAt].Item == nil || canceled.CancellationReasons[channelAt].Item[attrDeleted] != nil):
		return core.Post{}, false, false, core.ErrNoChannel(p.Channel)
	case failed(publisherAt):
		var publisher publisherItem
		if err := attributevalue.UnmarshalMap(canceled.CancellationReasons[publisherAt].Item, &publisher); err != nil {
			return core.Post{}, false, false, fmt.Errorf("add post %s: unmarshal publisher: %w", p.ID, err)
		}
		s.publisherNames.set(p.Channel, p.Author, publisher.Name)
		if publisher.Name == "" {
			return core.Post{}, false, false, core.ErrNotAPublisher(p.Author, p.Channel)
		}
		return core.Post{}, false, true, nil
	case failed(chargeAt):
		_, err := s.chargeRefused(*charge, canceled.CancellationReasons[chargeAt].Item)
		return core.Post{}, false, err == nil, err
	case failed(channelAt):
		newest, err := newestOf(canceled.CancellationReasons[channelAt].Item)
		if err != nil {
			return core.Post{}, false, false, fmt.Errorf("add post %s: %w", p.ID, err)
		}
		return core.Post{}, false, false, fmt.Errorf("add post %s: %w", p.ID, &core.OutOfOrderError{Newest: newest})
	case failed(channelAt + 1):
		return core.Post{}, false, false, fmt.Errorf("add post %s: post ID taken: %w", p.ID, errConflict)
	default:
		return core.Post{}, false, false, translate("add post "+p.ID, err)
	}
}

// channelOrder is the channel item's update by which p adds one to its Seq
// (bumpSeq) and becomes its newest post, on the condition that p's ID sorts
// after the newest one, as conversationOrder does for messages.
func (s *Store) channelOrder(p core.Post) types.TransactWriteItem {
	item := s.bumpSeq(p.Channel)
	orderAfterNewest(item.Update, p.ID, p.Date)
	return item
}

// DeletePost implements core.ChannelStore in one transaction that deletes
// the post, which must exist, and adds one to the channel's Seq.
func (s *Store) DeletePost(ctx context.Context, channel, id string) error {
	err := s.transact(ctx, "DeletePost", &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{
			TableName:                s.table,
			Key:                      itemKey(channelKey(channel), postSortKey(id)),
			ConditionExpression:      aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK},
		}},
		s.bumpSeq(channel),
	}})
	var canceled *types.TransactionCanceledException
	switch {
	case errors.As(err, &canceled) && !isConflict(err) && hasReason(canceled, reasonConditionalCheck):
		return core.ErrNoPost(id, channel)
	case err != nil:
		return translate("delete post "+id, err)
	}
	return nil
}

// Posts implements core.ChannelStore with one Query newest first (more only
// past 1 MB). BETWEEN is inclusive, so a page before a post asks for one
// item more and drops that post itself.
func (s *Store) Posts(ctx context.Context, q core.PostQuery) ([]core.Post, error) {
	high, want := postsEnd, q.Limit
	if q.Before != "" {
		high, want = postSortKey(q.Before), q.Limit+1
	}
	in := &dynamodb.QueryInput{
		TableName:                s.table,
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :low AND :high"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": stringValue(channelKey(q.Channel)), ":low": stringValue(PostSortKeyPrefix), ":high": stringValue(high),
		},
		ScanIndexForward:       aws.Bool(false),
		ConsistentRead:         aws.Bool(true),
		ReturnConsumedCapacity: s.capacity,
	}
	posts := make([]core.Post, 0, min(want, core.MaxPostPage))
	err := s.query(ctx, "Posts", in, want, func(item map[string]types.AttributeValue) error {
		p, err := unmarshalPost(item)
		if err == nil && p.ID != q.Before {
			posts = append(posts, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("posts of %s: %w", q.Channel, err)
	}
	if len(posts) > q.Limit {
		posts = posts[:q.Limit]
	}
	return posts, nil
}

// OwnedChannels implements core.ChannelStore with one Query of the owner's
// index (more only past 1 MB).
func (s *Store) OwnedChannels(ctx context.Context, owner string) ([]string, error) {
	ids, err := queryAll(ctx, s, "OwnedChannels", s.prefixQuery(key(userPrefix, owner), ownedPrefix), 0, unmarshalItem[ownedItem, string])
	if err != nil {
		return nil, fmt.Errorf("channels of %s: %w", owner, err)
	}
	return ids, nil
}

// EraseChannel implements core.ChannelStore: one UpdateItem that marks the
// channel deleted (once: it adds one to Seq only the first time), the
// Queries of the keys of its posts, markers and publishers and a
// BatchWriteItem per 25 of them (each post's removal reaches the feed Lambda
// through the stream, which then publishes the deleted snapshot), and one
// BatchWriteItem of the owner's index entry.
func (s *Store) EraseChannel(ctx context.Context, id, owner string) (int, error) {
	_, err := s.updateItem(ctx, "EraseChannel", &dynamodb.UpdateItemInput{
		Key:                       itemKey(channelKey(id), channelSortKey),
		UpdateExpression:          aws.String("SET #deleted = :true REMOVE #owner, #title, #createdAt ADD #seq :one"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND attribute_not_exists(#deleted)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#deleted": attrDeleted, "#owner": attrOwner, "#title": "title", "#createdAt": attrCreatedAt, "#seq": attrSeq},
		ExpressionAttributeValues: map[string]types.AttributeValue{":true": valueTrue, ":one": valueOne},
	})
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return 0, translate("mark channel "+id+" deleted", err)
	}
	deleted, err := s.deletePartitionRange(ctx, channelKey(id), PostSortKeyPrefix, clientPrefix, publisherPrefix)
	if err != nil {
		return deleted.first, fmt.Errorf("erase the posts of %s: %w", id, err)
	}
	if err := s.batchWrite(ctx, "EraseChannel", []types.WriteRequest{{DeleteRequest: &types.DeleteRequest{Key: ownedChannelKey(owner, id)}}}); err != nil {
		return deleted.first, fmt.Errorf("erase %s's entry of %s: %w", owner, id, err)
	}
	return deleted.first, nil
}
