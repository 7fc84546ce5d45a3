package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/parley-chat/parley/adapters/apigateway"
	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/cmd/lambdabench/floors/floordb"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
)

// The people of the bench. Alice has 50 contacts, Bob among them, and Bob
// has Alice; each has one device connected, so every send pushes to both.
const (
	alice       = "alice@bench.example"
	bob         = "bob@bench.example"
	frank       = "frank@bench.example" // adds a new contact on every call
	friends     = 49
	liveChannel = "bench-live"
	aliceDevice = "alice-device"
	bobDevice   = "bob-device"
)

// text is a typical chat line: 104 bytes.
var text = floordb.Text

func friend(i int) string { return fmt.Sprintf("friend-%02d@bench.example", i%friends) }

// world is what the calls of one scenario leave for the next: the IDs of
// the messages sent and of the posts made.
type world struct {
	messages []string
	posts    []string
}

// seed writes what the routes need to exist before their first call,
// through the store, outside the proxy, so none of it is counted.
func seed(ctx context.Context, client *dynamodb.Client, table string) (*world, error) {
	store := dynamostore.New(client, table)
	service := lambdas.NewService(store)
	add := func(owner, email, name string) error {
		_, _, err := service.AddContact(ctx, core.Caller{Email: owner}, core.AddContactInput{Email: email, Name: name})
		return err
	}
	if err := add(alice, bob, "Bob"); err != nil {
		return nil, err
	}
	if err := add(bob, alice, "Alice"); err != nil {
		return nil, err
	}
	for i := range friends {
		if err := add(alice, friend(i), fmt.Sprintf("Friend %d", i)); err != nil {
			return nil, err
		}
	}
	// A conversation with a full first page before the first round.
	for i := range 50 {
		in := core.AddMessageInput{Recipient: bob, Text: text, ClientID: fmt.Sprintf("seed-%d", i)}
		if _, _, err := service.AddMessage(ctx, core.Caller{Email: alice}, in); err != nil {
			return nil, err
		}
	}
	for who, device := range map[string]string{alice: aliceDevice, bob: bobDevice} {
		if _, err := service.Connect(ctx, core.Caller{Email: who}, device); err != nil {
			return nil, err
		}
	}
	if _, err := service.CreateChannel(ctx, core.Caller{Email: alice}, core.CreateChannelInput{Channel: liveChannel, Title: "Bench live"}); err != nil {
		return nil, err
	}
	// The item the GetItem floor reads: a contact.
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "USER#" + floordb.Sender}, "sk": &types.AttributeValueMemberS{Value: "CONTACT#" + floordb.Recipient},
		"email": &types.AttributeValueMemberS{Value: floordb.Recipient}, "name": &types.AttributeValueMemberS{Value: "Floor Bob"},
	}})
	if err != nil {
		return nil, err
	}
	return &world{}, warmUp(ctx, client, table, service)
}

// warmUp runs the kinds of request the bench makes a few hundred times, so
// that DynamoDB Local's JVM has compiled its paths before the first function
// starts: a cold JVM takes 100-300 ms for a transaction it later does in 10.
func warmUp(ctx context.Context, client *dynamodb.Client, table string, service *core.Service) error {
	floor := floordb.Floor{Client: client, Table: aws.String(table)}
	const a, b = "warmup-a@bench.example", "warmup-b@bench.example"
	for _, c := range [][2]string{{a, b}, {b, a}} {
		if _, _, err := service.AddContact(ctx, core.Caller{Email: c[0]}, core.AddContactInput{Email: c[1], Name: "Warm-up"}); err != nil {
			return err
		}
	}
	for i := range warmUpRounds {
		if err := floor.TransactSend(ctx); err != nil {
			return err
		}
		if err := floor.PutMessage(ctx); err != nil {
			return err
		}
		if _, _, err := service.AddMessage(ctx, core.Caller{Email: a}, core.AddMessageInput{Recipient: b, Text: text, ClientID: fmt.Sprintf("w%d", i)}); err != nil {
			return err
		}
		if _, err := service.GetMessages(ctx, core.Caller{Email: b}, core.GetMessagesInput{With: a}); err != nil {
			return err
		}
		if _, err := service.GetContactsPage(ctx, core.Caller{Email: alice}, core.GetContactsInput{}); err != nil {
			return err
		}
	}
	return nil
}

// pushes reports whether the function of binary pushes, as the route tables
// say (and Terraform's pushes in locals.functions, which the tests hold to
// them): such a function is given the @connections endpoint. Floors never push.
func pushes(binary string) bool {
	for _, r := range apigateway.Routes {
		if r.Name == binary {
			return r.Pushes
		}
	}
	for _, r := range apigateway.WebSocketRoutes {
		if r.Name == binary {
			return r.Pushes
		}
	}
	return false
}

// statusIs accepts only want, and hands the body to keep.
func statusIs(want int, keep func(body string)) func(int, int, string) error {
	return func(_ int, status int, body string) error {
		if status != want {
			return fmt.Errorf("status %d, want %d: %s", status, want, body)
		}
		if keep != nil {
			keep(body)
		}
		return nil
	}
}

// scenarios are the rows of the table, in the order they run: a later one
// may use what an earlier one wrote. It is long because it is the table
// itself, one entry per row; splitting it would scatter the rows.
func scenarios(w *world, iss *issuer) []scenario {
	post := func(route, caller string, body func(i int) map[string]any) func(int) ([]byte, error) {
		return func(i int) ([]byte, error) {
			return iss.httpEvent(http.MethodPost, route, caller, jsonBody(body(i)), nil), nil
		}
	}
	get := func(route, caller string, query url.Values) func(int) ([]byte, error) {
		return func(int) ([]byte, error) { return iss.httpEvent(http.MethodGet, route, caller, "", query), nil }
	}
	floorEvent := post("floor", floordb.Sender, func(int) map[string]any { return map[string]any{} })
	nth := func(ids *[]string, i int) string { return (*ids)[i%len(*ids)] }
	frame := func(connection string, body func(i int) map[string]any) func(int) ([]byte, error) {
		return func(i int) ([]byte, error) {
			return webSocketEvent("$default", "MESSAGE", connection, jsonBody(body(i)), nil), nil
		}
	}
	return []scenario{
		{name: "floor: aws-lambda-go only", binary: "bare", floor: true, event: floorEvent},
		{name: "floor: SDK config + GetItem", binary: "getitem", floor: true, sdkFloor: true, event: floorEvent},
		{name: "floor: PutItem of a message", binary: "putitem", floor: true, event: floorEvent},
		{name: "floor: TransactWriteItems of a send", binary: "transact", floor: true, event: floorEvent},

		{name: "add-message (new, 104 B)", binary: "add-message",
			event: post("add-message", alice, func(i int) map[string]any {
				return map[string]any{"recipientNamespace": bob, "message": text, "clientId": fmt.Sprintf("send-%d", i)}
			}),
			check: statusIs(http.StatusCreated, func(body string) { w.messages = append(w.messages, responseField(body, "id")) })},
		{name: "get-messages (page of 50)", binary: "get-messages",
			event: get("get-messages", bob, url.Values{"recipientNamespace": {alice}})},
		{name: "ack (moves read by one)", binary: "ack",
			event: func(i int) ([]byte, error) {
				return post("ack", bob, func(int) map[string]any {
					return map[string]any{"recipientNamespace": alice, "upTo": nth(&w.messages, i), "read": true}
				})(i)
			}},
		{name: "ack (moves nothing)", binary: "ack",
			event: post("ack", bob, func(int) map[string]any {
				return map[string]any{"recipientNamespace": alice, "upTo": w.messages[0], "read": true}
			})},
		{name: "get-contacts (50 contacts)", binary: "get-contacts", event: get("get-contacts", alice, nil)},
		{name: "add-contact (new)", binary: "add-contact", check: statusIs(http.StatusCreated, nil),
			event: post("add-contact", frank, func(i int) map[string]any {
				return map[string]any{"email": fmt.Sprintf("new-%04d@bench.example", i), "name": fmt.Sprintf("New %d", i)}
			})},
		{name: "block-contact", binary: "block-contact",
			event: post("block-contact", alice, func(i int) map[string]any { return map[string]any{"email": friend(i)} })},
		{name: "unblock-contact", binary: "unblock-contact",
			event: post("unblock-contact", alice, func(i int) map[string]any { return map[string]any{"email": friend(i)} })},
		{name: "report-contact (new report)", binary: "report-contact",
			event: post("report-contact", alice, func(i int) map[string]any {
				return map[string]any{"email": friend(i), "report": fmt.Sprintf("Sends the same link over and over (%d).", i)}
			})},
		{name: "create-channel", binary: "create-channel", check: statusIs(http.StatusCreated, nil),
			event: post("create-channel", alice, func(i int) map[string]any {
				return map[string]any{"channel": fmt.Sprintf("bench-%04d", i), "title": "Bench channel"}
			})},
		{name: "add-publisher", binary: "add-publisher",
			event: post("add-publisher", alice, func(i int) map[string]any {
				return map[string]any{"channel": liveChannel, "email": fmt.Sprintf("caster-%04d@bench.example", i), "name": fmt.Sprintf("Caster %d", i)}
			})},
		{name: "post-to-channel (new, 104 B)", binary: "post-to-channel",
			event: post("post-to-channel", alice, func(i int) map[string]any {
				return map[string]any{"channel": liveChannel, "message": text, "clientId": fmt.Sprintf("post-%d", i)}
			}),
			check: statusIs(http.StatusCreated, func(body string) { w.posts = append(w.posts, responseField(body, "id")) })},
		{name: "delete-post", binary: "delete-post",
			event: func(i int) ([]byte, error) {
				return post("delete-post", alice, func(int) map[string]any { return map[string]any{"channel": liveChannel, "id": nth(&w.posts, i)} })(i)
			}},

		{name: "ws-connect ($connect, verifies the token)", binary: "ws-connect",
			event: func(i int) ([]byte, error) {
				token, err := iss.token(fmt.Sprintf("viewer-%04d@bench.example", i))
				if err != nil {
					return nil, err
				}
				headers := map[string]string{"Host": "ws.bench.example", "Origin": "https://chat.bench.example",
					"Sec-WebSocket-Protocol": subprotocols(token), "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
				return webSocketEvent("$connect", "CONNECT", fmt.Sprintf("conn-%04d", i), "", headers), nil
			},
			check: statusIs(http.StatusOK, nil)},
		{name: "ws-default (typing frame)", binary: "ws-default", check: statusIs(http.StatusOK, nil),
			event: frame(aliceDevice, func(int) map[string]any { return map[string]any{"action": "typing", "to": bob} })},
		{name: "ws-default (ping frame)", binary: "ws-default", check: statusIs(http.StatusOK, nil),
			event: frame(aliceDevice, func(int) map[string]any { return map[string]any{"action": "ping"} })},
		{name: "ws-disconnect ($disconnect)", binary: "ws-disconnect", check: statusIs(http.StatusOK, nil),
			event: func(i int) ([]byte, error) {
				return webSocketEvent("$disconnect", "DISCONNECT", fmt.Sprintf("conn-%04d", i), "", map[string]string{"Host": "ws.bench.example"}), nil
			}},
	}
}
