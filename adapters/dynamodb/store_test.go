package dynamodb_test

import (
	"testing"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/adapters/storetest"
	"github.com/parley-chat/parley/core"
)

// TestStoreContract runs the store contract, race tests included, on a fresh
// table of DynamoDB Local.
func TestStoreContract(t *testing.T) {
	client := dynamodbtest.NewClient(dynamodbtest.Endpoint(t), nil)
	store := dynamostore.New(client, dynamodbtest.MustTable(t, client))
	storetest.Run(t, func(*testing.T) core.Store { return store })
}
