// Command getitem is the floor of a route's cold start: aws-lambda-go and
// the AWS SDK's configuration loaded at cold start, and one strongly
// consistent DynamoDB GetItem per call.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/cmd/lambdabench/floors/floordb"
)

func main() {
	floor := floordb.MustLoad()
	key := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "USER#" + floordb.Sender},
		"sk": &types.AttributeValueMemberS{Value: "CONTACT#" + floordb.Recipient},
	}
	lambda.Start(func(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		_, err := floor.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: floor.Table, Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return floordb.OK(http.StatusOK), nil
	})
}
