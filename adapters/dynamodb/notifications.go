package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// Push subscription items of the single table:
//
//	item                   pk                  sk
//	push subscription      USER#<user>         PUSHSUB#<sha256 of the endpoint, hex>
//
// An endpoint is a URL of up to core.MaxEndpointLength bytes; its hash keeps
// the sort key short and of one shape. Subscriptions expire through the
// table's TTL attribute unless stored again.
const pushSubscriptionPrefix = "PUSHSUB#"

// pushSubscriptionItem is a core.PushSubscription as stored.
type pushSubscriptionItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	User      string `dynamodbav:"user"`
	Endpoint  string `dynamodbav:"endpoint"`
	P256dh    []byte `dynamodbav:"p256dh"`
	Auth      []byte `dynamodbav:"auth"`
	Previews  bool   `dynamodbav:"previews"`
	UpdatedAt string `dynamodbav:"updatedAt"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

func pushSubscriptionKey(user, endpoint string) map[string]types.AttributeValue {
	pk, _ := contactKey(user, "")
	sum := sha256.Sum256([]byte(endpoint))
	return itemKey(pk, key(pushSubscriptionPrefix, hex.EncodeToString(sum[:])))
}

func (it pushSubscriptionItem) toDomain() (core.PushSubscription, error) {
	updatedAt, err := parseTime("updatedAt", it.UpdatedAt)
	if err != nil {
		return core.PushSubscription{}, err
	}
	return core.PushSubscription{
		User: it.User, Endpoint: it.Endpoint, P256dh: it.P256dh, Auth: it.Auth, Previews: it.Previews,
		UpdatedAt: updatedAt, ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(),
	}, nil
}

// AddPushSubscription implements core.NotificationStore with one UpdateItem
// that answers what it replaced: a subscription that had expired but that
// TTL had not deleted yet counts as none.
func (s *Store) AddPushSubscription(ctx context.Context, sub core.PushSubscription) (bool, error) {
	out, err := s.updateItem(ctx, "AddPushSubscription", &dynamodb.UpdateItemInput{
		Key:              pushSubscriptionKey(sub.User, sub.Endpoint),
		UpdateExpression: aws.String("SET #user = :user, #endpoint = :endpoint, #p256dh = :p256dh, #auth = :auth, #previews = :previews, #updatedAt = :updatedAt, #expiresAt = :expiresAt"),
		ExpressionAttributeNames: map[string]string{
			"#user": "user", "#endpoint": "endpoint", "#p256dh": "p256dh", "#auth": "auth",
			"#previews": "previews", "#updatedAt": "updatedAt", "#expiresAt": TTLAttribute,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":user": stringValue(sub.User), ":endpoint": stringValue(sub.Endpoint),
			":p256dh": &types.AttributeValueMemberB{Value: sub.P256dh}, ":auth": &types.AttributeValueMemberB{Value: sub.Auth},
			":previews": boolValue(sub.Previews), ":updatedAt": stringValue(formatTime(sub.UpdatedAt)),
			":expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(sub.ExpiresAt.Unix(), 10)},
		},
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return false, translate("AddPushSubscription", err)
	}
	var old pushSubscriptionItem
	if len(out.Attributes) > 0 {
		if err := attributevalue.UnmarshalMap(out.Attributes, &old); err != nil {
			return false, fmt.Errorf("add push subscription: unmarshal: %w", err)
		}
	}
	return old.ExpiresAt <= sub.UpdatedAt.Unix(), nil
}

// RemovePushSubscription implements core.NotificationStore with one
// BatchWriteItem that deletes the item.
func (s *Store) RemovePushSubscription(ctx context.Context, user, endpoint string) error {
	return s.batchWrite(ctx, "RemovePushSubscription", []types.WriteRequest{
		{DeleteRequest: &types.DeleteRequest{Key: pushSubscriptionKey(user, endpoint)}},
	})
}

// PushSubscriptions implements core.NotificationStore with one Query of the
// user's subscriptions, filtered to those that have not expired (TTL deletes
// them within days, not at once).
func (s *Store) PushSubscriptions(ctx context.Context, user string, now time.Time) ([]core.PushSubscription, error) {
	pk, _ := contactKey(user, "")
	subscriptions, err := queryAll(ctx, s, "PushSubscriptions", s.unexpiredQuery(pk, pushSubscriptionPrefix, now), 0, unmarshalItem[pushSubscriptionItem, core.PushSubscription])
	if err != nil {
		return nil, fmt.Errorf("push subscriptions of a user: %w", err)
	}
	return subscriptions[:min(len(subscriptions), core.MaxPushSubscriptions)], nil
}

// SetConnectionVisible implements core.NotificationStore with one
// conditional UpdateItem of the connection's item by user, the one
// core.ConnectionStore.Connections reads.
func (s *Store) SetConnectionVisible(ctx context.Context, c core.Connection, visible bool) error {
	byUser, _ := connectionKeys(c)
	_, err := s.updateItem(ctx, "SetConnectionVisible", &dynamodb.UpdateItemInput{
		Key:                       byUser,
		UpdateExpression:          aws.String("SET #visible = :visible"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#visible": attrVisible, "#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":visible": boolValue(visible)},
	})
	var gone *types.ConditionalCheckFailedException
	if errors.As(err, &gone) {
		return nil
	}
	if err != nil {
		return translate("SetConnectionVisible", err)
	}
	return nil
}

// attrVisible is the attribute of a connection's item by user that says
// whether its tab is visible and focused.
const attrVisible = "visible"

// MessageOfStreamImage returns the message of a message item's new image as
// a table stream record carries it (its string attributes, and a boolean's
// as "true"), erased (Deleted) when it was unsent, and false for any other
// item.
func MessageOfStreamImage(image map[string]string) (core.Message, bool) {
	if !strings.HasPrefix(image[attrSK], messagePrefix) || !strings.HasPrefix(image[attrPK], convPrefix) {
		return core.Message{}, false
	}
	m, err := embeddedMessage{
		ID: image["id"], Sender: image["sender"], Recipient: image["recipient"], Text: image["text"],
		Date: image["date"], ClientID: image["clientId"], Deleted: image[attrDeleted] == "true",
	}.toDomain()
	if err != nil || m.Sender == "" || m.Recipient == "" {
		return core.Message{}, false
	}
	return m, true
}

// ConversationReadOfStreamImages returns the conversation a contact item's
// change left read, from the old and new images a table stream record
// carries (string and number attributes as strings): its owner read their
// conversation with its email when its unread count fell from above 0 to 0.
// False for any other change. The notify Lambda's stream filter
// (terraform/notifications.tf) lets only these through; this says it again.
func ConversationReadOfStreamImages(old, new map[string]string) (core.ConversationRead, bool) {
	if !strings.HasPrefix(new[attrPK], userPrefix) || !strings.HasPrefix(new[attrSK], contactPrefix) {
		return core.ConversationRead{}, false
	}
	wasUnread := old[attrUnread] != "" && old[attrUnread] != "0"
	if !wasUnread || new[attrUnread] != "0" || new["owner"] == "" || new["email"] == "" {
		return core.ConversationRead{}, false
	}
	return core.ConversationRead{Member: new["owner"], With: new["email"]}, true
}
