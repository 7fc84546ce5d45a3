// Command putitem is the floor of a send with nothing but the message: one
// conditional PutItem of a 104-byte message per call.
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
		if err := floor.PutMessage(ctx); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return floordb.OK(http.StatusCreated), nil
	})
}
