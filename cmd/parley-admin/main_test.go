package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dynamostore "github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/dynamodb/dynamodbtest"
	"github.com/parley-chat/parley/adapters/memory"
	"github.com/parley-chat/parley/adapters/ulid"
	"github.com/parley-chat/parley/core"
)

// world is a Parley whose people chat and report through the service while
// an operator runs parley-admin on the same store.
type world struct {
	store interface {
		core.Store
		core.ModerationBackend
	}
	service *core.Service
	table   string
	open    openBackend
}

func newMemoryWorld(t *testing.T) *world {
	store := memory.New()
	w := &world{store: store, table: "parley-test"}
	w.open = func(_ context.Context, table, _ string) (core.ModerationBackend, error) {
		assert.Equal(t, "parley-test", table)
		return store, nil
	}
	w.service = newMeteredService(store)
	return w
}

func newDynamoDBWorld(t *testing.T) *world {
	endpoint := dynamodbtest.Endpoint(t)
	client := dynamodbtest.NewClient(endpoint, nil)
	table := dynamodbtest.MustTable(t, client)
	store := dynamostore.New(client, table)
	// The tool opens the table itself, as an operator would.
	t.Setenv("AWS_REGION", "us-east-1")
	w := &world{store: store, table: table, open: func(ctx context.Context, table, _ string) (core.ModerationBackend, error) {
		return openDynamoDB(ctx, table, endpoint)
	}}
	w.service = newMeteredService(store)
	return w
}

func newMeteredService(store interface {
	core.Store
	core.ModerationBackend
}) *core.Service {
	now := func() time.Time { return time.Now().UTC() }
	return core.NewService(store, now, ulid.NewGenerator().NewID, core.WithSendBudget(store, core.DefaultSendLimit()))
}

func (w *world) admin(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"-table", w.table}, args...), &out, &errOut, w.open)
	return code, out.String(), errOut.String()
}

func caller(t *testing.T, email string) core.Caller {
	c, err := core.NewCaller(email, true)
	require.NoError(t, err)
	return c
}

func TestModeration(t *testing.T) {
	for name, newWorld := range map[string]func(*testing.T) *world{"Memory": newMemoryWorld, "DynamoDB": newDynamoDBWorld} {
		t.Run(name, func(t *testing.T) { testModeration(t, newWorld(t)) })
	}
}

func testModeration(t *testing.T, w *world) {
	ctx := context.Background()
	suffix := fmt.Sprint(time.Now().UnixNano())
	alice, bob, carol := "alice"+suffix+"@example.com", "bob"+suffix+"@example.com", "carol"+suffix+"@example.com"
	for _, pair := range [][2]string{{alice, bob}, {bob, alice}, {carol, bob}} {
		_, _, err := w.service.AddContact(ctx, caller(t, pair[0]), core.AddContactInput{Email: pair[1], Name: "Someone"})
		require.NoError(t, err)
	}
	_, _, err := w.service.AddMessage(ctx, caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "cheap watches here"})
	require.NoError(t, err)
	_, err = w.service.ReportContact(ctx, caller(t, alice), bob, "spam")
	require.NoError(t, err)
	_, err = w.service.ReportContact(ctx, caller(t, carol), bob, "he keeps writing")
	require.NoError(t, err)

	code, out, stderr := w.admin(t, "-json", "reports")
	require.Equal(t, exitOK, code, stderr)
	var listed struct{ Reports []reportJSON }
	require.NoError(t, json.Unmarshal([]byte(out), &listed), out)
	require.Len(t, listed.Reports, 2)
	first := listed.Reports[0]
	assert.Equal(t, alice, first.Reporter)
	assert.Equal(t, bob, first.Reported)
	assert.Equal(t, "spam", first.Text)
	require.Len(t, first.Evidence, 1, "with its evidence")
	assert.Equal(t, "cheap watches here", first.Evidence[0].Text)

	code, out, _ = w.admin(t, "reports")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, `"cheap watches here"`, "the text form shows the evidence")
	assert.Contains(t, out, "(open)")

	code, out, _ = w.admin(t, "show", first.ID)
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "Report "+first.ID)

	code, _, stderr = w.admin(t, "dismiss", first.ID)
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = w.admin(t, "dismiss", first.ID)
	assert.Equal(t, exitNotFound, code, "dismissed twice")
	assert.Contains(t, stderr, "no open report")
	code, out, _ = w.admin(t, "-json", "show", first.ID)
	require.Equal(t, exitOK, code)
	var shown reportJSON
	require.NoError(t, json.Unmarshal([]byte(out), &shown))
	assert.Equal(t, "dismissed", shown.Resolution)

	code, _, stderr = w.admin(t, "suspend", bob)
	assert.Equal(t, exitUsage, code, "a suspension needs a reason")
	assert.Contains(t, stderr, "-reason")
	code, out, stderr = w.admin(t, "suspend", "-reason", "spam, twice reported", strings.ToUpper(bob))
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, bob+" is suspended")
	code, out, _ = w.admin(t, "-json", "reports")
	require.Equal(t, exitOK, code)
	assert.JSONEq(t, `{"reports":[]}`, out, "suspending closed the other report")

	_, _, err = w.service.AddMessage(ctx, caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "still here"})
	assert.Equal(t, core.ESUSPENDED, core.ErrorCode(err), "a suspended account cannot send")
	_, err = w.service.Connect(ctx, caller(t, bob), "conn-"+suffix)
	assert.Equal(t, core.ESUSPENDED, core.ErrorCode(err), "nor connect")
	code, out, _ = w.admin(t, "status", bob)
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "spam, twice reported")

	code, _, stderr = w.admin(t, "reinstate", bob)
	require.Equal(t, exitOK, code, stderr)
	_, _, err = w.service.AddMessage(ctx, caller(t, bob), core.AddMessageInput{Recipient: alice, Text: "sorry"})
	require.NoError(t, err, "reinstated")
	code, _, _ = w.admin(t, "reinstate", bob)
	assert.Equal(t, exitNotFound, code)
}

func TestCommandLineMistakes(t *testing.T) {
	w := newMemoryWorld(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"NoCommand", nil, "usage:"},
		{"UnknownCommand", []string{"delete-everything"}, `unknown command "delete-everything"`},
		{"ShowWithoutID", []string{"show"}, "exactly one report ID"},
		{"ShowABadID", []string{"show", "not/an/id"}, "id: is not a report ID"},
		{"SuspendABadEmail", []string{"suspend", "-reason", "x", "not-an-email"}, "email"},
		{"ReportsTooMany", []string{"reports", "-limit", "1000"}, "limit: must be between"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := w.admin(t, tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
	t.Setenv("PARLEY_TABLE_NAME", "")
	var out, stderr bytes.Buffer
	code := run(context.Background(), []string{"reports"}, &out, &stderr, w.open)
	assert.Equal(t, exitUsage, code, "no table named")
	assert.Contains(t, stderr.String(), "PARLEY_TABLE_NAME")
}

func TestDeleteAccount(t *testing.T) {
	// As an operator against AWS: no endpoint, no pool, unless the flags say.
	t.Setenv("PARLEY_DYNAMODB_ENDPOINT", "")
	t.Setenv("PARLEY_USER_POOL_ID", "")
	ctx := context.Background()
	w := newMemoryWorld(t)
	alice, bob := caller(t, "alice@example.com"), caller(t, "bob@example.com")
	_, _, err := w.service.AddContact(ctx, alice, core.AddContactInput{Email: bob.Email, Name: "Bob"})
	require.NoError(t, err)
	_, _, err = w.service.AddMessage(ctx, alice, core.AddMessageInput{Recipient: bob.Email, Text: "hello"})
	require.NoError(t, err)

	code, _, stderr := w.admin(t, "delete-account", "alice@example.com")
	assert.Equal(t, exitUsage, code, "without a user pool, only against DynamoDB Local")
	assert.Contains(t, stderr, "-user-pool")

	code, stdout, stderr := w.admin(t, "-endpoint", "http://127.0.0.1:1", "-json", "delete-account", "Alice@Example.com")
	require.Equal(t, exitOK, code, stderr)
	assert.JSONEq(t, `{"email":"alice@example.com","deleted":true,"conversations":1,"messages":1,"contacts":1,"reportsKept":0}`, stdout)
	contacts, err := w.store.Contacts(ctx, alice.Email)
	require.NoError(t, err)
	assert.Empty(t, contacts)
	assert.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(w.service.Authorize(ctx, alice)), "its tokens are refused")

	code, _, _ = w.admin(t, "-endpoint", "http://127.0.0.1:1", "delete-account", "alice@example.com")
	assert.Equal(t, exitOK, code, "again: nothing left to erase")
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	w := newMemoryWorld(t)
	alice, bob := caller(t, "alice@example.com"), caller(t, "bob@example.com")
	_, _, err := w.service.AddContact(ctx, alice, core.AddContactInput{Email: bob.Email, Name: "Bob"})
	require.NoError(t, err)
	_, _, err = w.service.AddMessage(ctx, alice, core.AddMessageInput{Recipient: bob.Email, Text: "hello"})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "alice.json")

	code, _, _ := w.admin(t, "export", "alice@example.com")
	assert.Equal(t, exitUsage, code, "-o is required")
	code, stdout, stderr := w.admin(t, "export", "-o", path, "Alice@Example.com")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, path)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		Account       struct{ Email string }
		Conversations []struct {
			With     string
			Messages []struct{ Message string }
		}
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	assert.Equal(t, "alice@example.com", doc.Account.Email)
	require.Len(t, doc.Conversations, 1)
	assert.Equal(t, "hello", doc.Conversations[0].Messages[0].Message)
}
