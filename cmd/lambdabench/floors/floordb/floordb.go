// Package floordb is what the DynamoDB floors of the cold-start bench share:
// the SDK's configuration loaded as Parley's Lambdas load it (the default
// chain, or static credentials for DynamoDB Local), one client, and the
// items of a message-sized send.
package floordb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Floor is a DynamoDB client and the table it writes.
type Floor struct {
	Client *dynamodb.Client
	Table  *string
}

// MustLoad loads the configuration and builds the client, at cold start;
// it exits when it cannot, as a Lambda that cannot start does.
func MustLoad() Floor {
	endpoint := os.Getenv("PARLEY_DYNAMODB_ENDPOINT")
	var options []func(*awsconfig.LoadOptions) error
	if endpoint != "" {
		options = append(options, awsconfig.WithRegion(os.Getenv("AWS_REGION")),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	config, err := awsconfig.LoadDefaultConfig(context.Background(), options...)
	if err != nil {
		panic(err)
	}
	client := dynamodb.NewFromConfig(config, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.DisableValidateResponseChecksum = true
		}
	})
	return Floor{Client: client, Table: aws.String(os.Getenv("PARLEY_TABLE_NAME"))}
}

// OK is the response of every floor: what an API Gateway route answers.
func OK(status int) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}"}
}

// Text is a typical chat line, as Parley's benches send: 104 bytes.
var Text = strings.Repeat("Parley benchmark message. ", 4)

// NewID is a fresh message ID.
func NewID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// Sender and Recipient are the members of the floors' conversation.
const (
	Sender    = "floor-alice@bench.example"
	Recipient = "floor-bob@bench.example"
)

// MessageItem is a message as Parley's store writes it: keys, ID, both
// members, text, date and client ID.
func MessageItem(id string, now time.Time) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": s("CONV#" + Sender + "#" + Recipient), "sk": s("MSG#" + id), "id": s(id),
		"sender": s(Sender), "recipient": s(Recipient), "text": s(Text),
		"date": s(now.UTC().Format(time.RFC3339Nano)), "clientId": s("c-" + id),
	}
}

// PutMessage is the bare PutItem of one message, conditional on its key
// being new, as the message's own write is.
func (f Floor) PutMessage(ctx context.Context) error {
	_, err := f.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: f.Table, Item: MessageItem(NewID(), time.Now()),
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": "pk"},
	})
	return err
}

// TransactSend is the bare TransactWriteItems of the items Parley's send
// writes: the client ID's idempotency marker, the sender's and the
// recipient's contacts (last message, and one more unread), the message, and
// the conversation's receipts version, and the sender's send budget (the
// account item, whose spend is one more item of the same transaction); with
// conditions of the same kinds, written so that they hold without any item
// seeded first.
func (f Floor) TransactSend(ctx context.Context) error {
	id, now := NewID(), time.Now()
	message := MessageItem(id, now)
	marker := MessageItem(id, now)
	marker["sk"] = s("CLIENT#" + Sender + "#c-" + id)
	marker["expiresAt"] = n(now.Add(24 * time.Hour).Unix())
	preview := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"id": s(id), "text": s(Text), "sender": s(Sender), "date": message["date"],
	}}
	contact := func(owner, other string, set string) *types.Update {
		return &types.Update{
			TableName:                 f.Table,
			Key:                       map[string]types.AttributeValue{"pk": s("USER#" + owner), "sk": s("CONTACT#" + other)},
			UpdateExpression:          aws.String(set),
			ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #blocked <> :true"),
			ExpressionAttributeNames:  map[string]string{"#pk": "pk", "#blocked": "blocked", "#lastActivity": "lastActivity", "#lastMessage": "lastMessage"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}, ":date": message["date"], ":preview": preview},
		}
	}
	recipient := contact(Recipient, Sender, "SET #lastActivity = :date, #lastMessage = :preview ADD #unread :one")
	recipient.ExpressionAttributeNames["#unread"] = "unread"
	recipient.ExpressionAttributeValues[":one"] = n(1)
	_, err := f.Client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: f.Table, Item: marker,
			ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #expiresAt <= :now"),
			ExpressionAttributeNames:  map[string]string{"#pk": "pk", "#expiresAt": "expiresAt"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.Unix())}}},
		{Update: contact(Sender, Recipient, "SET #lastActivity = :date, #lastMessage = :preview")},
		{Update: recipient},
		{Put: &types.Put{TableName: f.Table, Item: message,
			ConditionExpression: aws.String("attribute_not_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": "pk"}}},
		{Update: &types.Update{TableName: f.Table,
			Key:                       map[string]types.AttributeValue{"pk": message["pk"], "sk": s("RECEIPTS")},
			UpdateExpression:          aws.String("ADD #version :one"),
			ExpressionAttributeNames:  map[string]string{"#version": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1)}}},
		{Update: &types.Update{TableName: f.Table,
			Key:                       map[string]types.AttributeValue{"pk": s("USER#" + Sender), "sk": s("ACCOUNT")},
			UpdateExpression:          aws.String("SET #fullAt = :next"),
			ConditionExpression:       aws.String("attribute_not_exists(#suspended) AND (attribute_not_exists(#fullAt) OR #fullAt > :now)"),
			ExpressionAttributeNames:  map[string]string{"#fullAt": "fullAt", "#suspended": "suspended"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":next": n(now.Add(time.Second).UnixNano()), ":now": n(0)}}},
	}})
	return err
}
