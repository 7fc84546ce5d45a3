// Command transact is the floor of Parley's send: one TransactWriteItems of
// the five items add-message writes, per call, and nothing else.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/parley-chat/parley/cmd/lambdabench/floors/floordb"
)

func main() {
	floor := floordb.MustLoad()
	lambda.Start(func(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		if err := floor.TransactSend(ctx); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return floordb.OK(http.StatusCreated), nil
	})
}
