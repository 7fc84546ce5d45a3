package apigateway_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/parley-chat/parley/adapters/memory"
)

// BenchmarkRoute measures each route through the API adapter, from the event
// API Gateway sends to the response it gets, on the in-memory store.
func BenchmarkRoute(b *testing.B) {
	h := newHandler(memory.New(), io.Discard)
	ctx := context.Background()
	mustServe := func(route string, req events.APIGatewayV2HTTPRequest) {
		res, err := h.Route(route)(ctx, req)
		if err != nil || res.StatusCode >= 300 {
			b.Fatalf("%s: %d %s %v", route, res.StatusCode, res.Body, err)
		}
	}
	mustServe("add-contact", event("alice@example.com", `{"email":"bob@example.com","name":"Bob"}`))
	mustServe("add-contact", event("bob@example.com", `{"email":"alice@example.com","name":"Alice"}`))
	for i := range 200 {
		mustServe("add-message", event("bob@example.com", fmt.Sprintf(`{"recipientNamespace":"alice@example.com","message":"seed %d"}`, i)))
	}
	page := event("alice@example.com", "")
	page.QueryStringParameters = map[string]string{"recipientNamespace": "bob@example.com"}

	for _, tc := range []struct {
		route string
		req   func(i int) events.APIGatewayV2HTTPRequest
	}{
		{"add-contact", func(int) events.APIGatewayV2HTTPRequest {
			return event("alice@example.com", `{"email":"bob@example.com","name":"Bob"}`)
		}},
		{"get-contacts", func(int) events.APIGatewayV2HTTPRequest { return event("alice@example.com", "") }},
		{"block-contact", func(int) events.APIGatewayV2HTTPRequest {
			return event("carol@example.com", `{"email":"dave@example.com"}`)
		}},
		{"unblock-contact", func(int) events.APIGatewayV2HTTPRequest {
			return event("carol@example.com", `{"email":"dave@example.com"}`)
		}},
		{"report-contact", func(int) events.APIGatewayV2HTTPRequest {
			return event("alice@example.com", `{"email":"bob@example.com","report":"spam"}`)
		}},
		{"add-message", func(i int) events.APIGatewayV2HTTPRequest {
			return event("alice@example.com", fmt.Sprintf(`{"recipientNamespace":"bob@example.com","message":"hello %d"}`, i))
		}},
		{"get-messages", func(int) events.APIGatewayV2HTTPRequest { return page }},
	} {
		b.Run(tc.route, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				mustServe(tc.route, tc.req(i))
			}
		})
	}
}
