package dynamodb_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

// failingReads is a DynamoDB client whose next GetItem fails, as when the
// network drops the answer of the read after the write.
type failingReads struct {
	*dynamodb.Client
	fail atomic.Bool
}

func (c *failingReads) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if c.fail.Swap(false) {
		return nil, errors.New("connection reset by peer")
	}
	return c.Client.GetItem(ctx, in, optFns...)
}

// TestReportRetriedAfterAFailedReadIsStoredOnce is issue 12's report case:
// the write succeeds, the read after it fails, the client retries.
func TestReportRetriedAfterAFailedReadIsStoredOnce(t *testing.T) {
	client := &failingReads{Client: dynamodbtest.NewClient(dynamodbtest.Endpoint(t), nil)}
	store := dynamostore.New(client, dynamodbtest.MustTable(t, client.Client))
	f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
	ctx := context.Background()
	alice, bob := f.Email("alice"), f.Email("bob")
	f.MustAddContact(t, alice, bob)

	client.fail.Store(true)
	_, err := f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "spam")
	require.Error(t, err, "the first answer is lost")
	contact, err := f.Service.ReportContact(ctx, f.Caller(t, alice), bob, "spam")
	require.NoError(t, err)
	assert.Equal(t, "spam", contact.Report)

	reports, err := store.Reports(ctx, bob)
	require.NoError(t, err)
	assert.Len(t, reports, 1)
}

// TestIdempotencyMarkersExpire reads the items AddMessage wrote: the marker
// carries the table's TTL attribute at the end of core.ClientIDWindow, the
// message none.
func TestIdempotencyMarkersExpire(t *testing.T) {
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), nil)
	table := dynamodbtest.MustTable(t, client)
	store := dynamostore.New(client, table)
	f := storetest.NewFixture(t, func(*testing.T) core.Store { return store })
	alice, bob := f.Email("alice"), f.Email("bob")
	f.MustAddContact(t, alice, bob)
	sent, _, err := f.Service.AddMessage(context.Background(), f.Caller(t, alice), core.AddMessageInput{Recipient: bob, Text: "hi", ClientID: "k1"})
	require.NoError(t, err)

	out, err := client.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "CONV#" + alice + "#" + bob}},
	})
	require.NoError(t, err)
	require.Len(t, out.Items, 3, "the message, its marker and the conversation's receipts")
	for _, item := range out.Items {
		sk := item["sk"].(*types.AttributeValueMemberS).Value
		expires, ok := item[dynamostore.TTLAttribute].(*types.AttributeValueMemberN)
		if strings.HasPrefix(sk, "MSG") {
			assert.False(t, ok, "a message and the receipts never expire")
			continue
		}
		require.True(t, ok, "the marker %s expires", sk)
		assert.Equal(t, strconv.FormatInt(sent.Date.Add(core.ClientIDWindow).Unix(), 10), expires.Value)
	}
}
