package dynamodb

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/core"
)

// MessageItem is the item of m as AddMessage stores it, for tests that seed
// long conversations faster than sending them one by one.
func MessageItem(m core.Message) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(newMessageItem(m))
}
