// Command parley-admin is the operators' moderation tool: it lists the open
// reports people filed, with their evidence, shows one, dismisses it, and
// suspends or reinstates an account. It talks to the DynamoDB table directly
// with the operator's own AWS credentials (the default credential chain), or
// to DynamoDB Local in development; no public route reaches any of it.
//
//	parley-admin [-table NAME] [-endpoint URL] [-json] COMMAND [ARGS]
//
//	reports [-after ID] [-limit N]   open reports, oldest first, with evidence
//	show ID                          one report, open or closed, with evidence
//	dismiss ID                       close a report without acting on it
//	suspend -reason TEXT EMAIL       suspend an account; closes the reports about it
//	reinstate EMAIL                  lift a suspension
//	status EMAIL                     whether an account is suspended
//	delete-account [-user-pool ID] EMAIL
//	                                 delete an account for good (a request by email)
//	export -o FILE EMAIL             write everything kept about an account to FILE
//
// The table is -table or PARLEY_TABLE_NAME; the endpoint, for DynamoDB Local,
// -endpoint or PARLEY_DYNAMODB_ENDPOINT. With PARLEY_WS_CALLBACK_URL (the
// stack's ws_callback_url output), suspend also closes the account's open
// WebSockets (a DELETE on @connections, with execute-api:ManageConnections);
// without it they are forgotten, receive nothing more, and their frames are
// refused.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/cognito"
	"github.com/parley-chat/parley/adapters/push"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
	"github.com/parley-chat/parley/lambdas/extra"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, openDynamoDB))
}

// openBackend returns the moderation backend on table, at endpoint when it
// is not empty.
type openBackend func(ctx context.Context, table, endpoint string) (core.ModerationBackend, error)

func openDynamoDB(ctx context.Context, table, endpoint string) (core.ModerationBackend, error) {
	config := lambdas.Config{TableName: table, DynamoDBEndpoint: endpoint}
	return lambdas.NewDynamoDBStore(ctx, config)
}

var _ openBackend = openDynamoDB

// moderatorOptions are the moderator's options: with a callback URL, the
// @connections client that closes a suspended account's connections, signed
// with the operator's credentials.
func moderatorOptions(ctx context.Context, callbackURL string) ([]core.ModeratorOption, error) {
	if callbackURL == "" {
		return nil, nil
	}
	awsConfig, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	pusher, err := push.New(&http.Client{Timeout: core.PushDeadline}, callbackURL, awsConfig.Region, awsConfig.Credentials, apigateway.EncodeEvent)
	if err != nil {
		return nil, err
	}
	return []core.ModeratorOption{core.WithModeratorPusher(pusher)}, nil
}

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNotFound = 3
)

const usage = `usage: parley-admin [-table NAME] [-endpoint URL] [-json] COMMAND [ARGS]

commands:
  reports [-after ID] [-limit N]   open reports, oldest first, with their evidence
  show ID                          one report, open or closed, with its evidence
  dismiss ID                       close a report without acting on it
  suspend -reason TEXT EMAIL       suspend an account (no sends, posts or connections);
                                   closes the open reports about it
  reinstate EMAIL                  lift a suspension
  status EMAIL                     whether an account is suspended
  delete-account [-user-pool ID] EMAIL
                                   delete an account for good, as the person can in
                                   the app: every item erased, its Cognito user in the
                                   pool -user-pool (or PARLEY_USER_POOL_ID) deleted;
                                   again finishes one that failed halfway
  export -o FILE EMAIL             write everything Parley keeps about an account to FILE,
                                   the document the app's "Export my data" downloads

The table is -table or PARLEY_TABLE_NAME, with the AWS credentials of the default
chain; -endpoint or PARLEY_DYNAMODB_ENDPOINT points at DynamoDB Local instead.
`

// run is the whole command, with its environment handed in so tests drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, open openBackend) int {
	flags := flag.NewFlagSet("parley-admin", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, usage) }
	table := flags.String("table", os.Getenv("PARLEY_TABLE_NAME"), "the DynamoDB table")
	endpoint := flags.String("endpoint", os.Getenv("PARLEY_DYNAMODB_ENDPOINT"), "the DynamoDB endpoint, for DynamoDB Local")
	asJSON := flags.Bool("json", false, "print JSON instead of text")
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	if flags.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	command, rest := flags.Arg(0), flags.Args()[1:]
	cmd, ok := commands[command]
	if command == deleteAccountCommand {
		cmd, ok = deleteAccount(*endpoint), true
	}
	if !ok {
		fmt.Fprintf(stderr, "parley-admin: unknown command %q\n\n%s", command, usage)
		return exitUsage
	}
	if *table == "" {
		fmt.Fprintln(stderr, "parley-admin: name the table with -table or PARLEY_TABLE_NAME")
		return exitUsage
	}
	backend, err := open(ctx, *table, *endpoint)
	if err != nil {
		fmt.Fprintf(stderr, "parley-admin: %v\n", err)
		return exitFailed
	}
	options, err := moderatorOptions(ctx, os.Getenv("PARLEY_WS_CALLBACK_URL"))
	if err != nil {
		fmt.Fprintf(stderr, "parley-admin: %v\n", err)
		return exitFailed
	}
	out := &output{w: stdout, json: *asJSON}
	moderator := core.NewModerator(backend, func() time.Time { return time.Now().UTC() }, options...)
	err = cmd(ctx, moderator, rest, out, stderr)
	var usageErr usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usageErr):
		fmt.Fprintf(stderr, "parley-admin %s: %v\n\n%s", command, err, usage)
		return exitUsage
	case core.ErrorCode(err) == core.ENOTFOUND:
		fmt.Fprintf(stderr, "parley-admin %s: %s\n", command, core.ErrorMessage(err))
		return exitNotFound
	case core.ErrorCode(err) == core.EINVALID:
		fmt.Fprintf(stderr, "parley-admin %s: %s\n", command, core.ErrorMessage(err))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "parley-admin %s: %v\n", command, err)
		return exitFailed
	}
}

// usageError is a command line that names no valid command.
type usageError struct{ message string }

func (e usageError) Error() string { return e.message }

type command func(ctx context.Context, m *core.Moderator, args []string, out *output, stderr io.Writer) error

var commands = map[string]command{
	"export":    exportAccount,
	"reports":   listReports,
	"show":      showReport,
	"dismiss":   dismissReport,
	"suspend":   suspendAccount,
	"reinstate": reinstateAccount,
	"status":    accountStatus,
}

// deleteAccountCommand erases an account: not a moderator's decision but a
// person's request, answered with the same use case as the app's.
const deleteAccountCommand = "delete-account"

// deleteAccount erases the account named in args with core.Service's
// EraseAccount over the moderator's store, deleting its user from the pool
// -user-pool names (required but for DynamoDB Local, at endpoint). Its
// WebSocket connections are forgotten: each is refused from its next frame and
// closes within API Gateway's two hours.
func deleteAccount(endpoint string) command {
	return func(ctx context.Context, m *core.Moderator, args []string, out *output, stderr io.Writer) error {
		flags := flag.NewFlagSet(deleteAccountCommand, flag.ContinueOnError)
		flags.SetOutput(stderr)
		pool := flags.String("user-pool", os.Getenv("PARLEY_USER_POOL_ID"), "the Cognito user pool whose user to delete")
		if err := flags.Parse(args); err != nil {
			return usageError{err.Error()}
		}
		email, err := oneArgument(flags.Args(), "email address")
		if err != nil {
			return err
		}
		store, ok := m.Backend().(core.Store)
		if !ok {
			return fmt.Errorf("the %T store cannot erase accounts", m.Backend())
		}
		var options []core.Option
		switch {
		case *pool != "":
			directory, err := newUserDirectory(ctx, *pool)
			if err != nil {
				return err
			}
			options = append(options, core.WithIdentityDirectory(directory))
		case endpoint == "":
			return usageError{"name the Cognito user pool with -user-pool or PARLEY_USER_POOL_ID"}
		}
		report, err := lambdas.NewService(store, options...).EraseAccount(ctx, email)
		if err != nil {
			return err
		}
		address := strings.ToLower(strings.TrimSpace(email))
		return out.done(map[string]any{"email": address, "deleted": true, "conversations": report.Conversations, "messages": report.Messages, "contacts": report.Contacts, "reportsKept": report.Reports},
			"%s is deleted: %d conversations (%d messages) and %d contacts erased; %d reports kept for moderators until they expire.",
			address, report.Conversations, report.Messages, report.Contacts, report.Reports)
	}
}

// exportAccount writes the export document of the account named in args
// to the file -o names, with the app's use case (core.Service.Export).
func exportAccount(ctx context.Context, m *core.Moderator, args []string, out *output, stderr io.Writer) error {
	flags := flag.NewFlagSet("export", flag.ContinueOnError)
	flags.SetOutput(stderr)
	path := flags.String("o", "", "the file to write the document to")
	if err := flags.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	email, err := oneArgument(flags.Args(), "email address")
	if err != nil {
		return err
	}
	if *path == "" {
		return usageError{"name the file to write with -o"}
	}
	store, ok := m.Backend().(core.Store)
	if !ok {
		return fmt.Errorf("the %T store cannot export accounts", m.Backend())
	}
	caller, err := core.NewCaller(email, true)
	if err != nil {
		return err
	}
	service := lambdas.NewService(store, core.WithExports(extra.ExportsTo(fileArchive{path: *path})))
	if _, err := service.Export(ctx, caller); err != nil {
		return err
	}
	return out.done(map[string]string{"email": caller.Email, "file": *path}, "The export of %s is in %s.", caller.Email, *path)
}

// fileArchive writes the one export an operator asks for to a file.
type fileArchive struct{ path string }

func (a fileArchive) Create(context.Context, string) (io.WriteCloser, error) {
	return os.Create(a.path)
}

func (a fileArchive) Link(context.Context, string, time.Time) (string, error) { return a.path, nil }

// newUserDirectory is the Cognito pool, with the operator's credentials.
func newUserDirectory(ctx context.Context, pool string) (*cognito.Directory, error) {
	awsConfig, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cognito.New(&http.Client{Timeout: 10 * time.Second}, awsConfig.Region, pool, "", awsConfig.Credentials), nil
}

// oneArgument returns the only positional argument, named what.
func oneArgument(args []string, what string) (string, error) {
	if len(args) != 1 {
		return "", usageError{fmt.Sprintf("give exactly one %s", what)}
	}
	return args[0], nil
}

func listReports(ctx context.Context, m *core.Moderator, args []string, out *output, stderr io.Writer) error {
	flags := flag.NewFlagSet("reports", flag.ContinueOnError)
	flags.SetOutput(stderr)
	after := flags.String("after", "", "list the reports after the one with this ID")
	limit := flags.Int("limit", 20, fmt.Sprintf("how many reports, at most %d", core.MaxOpenReportsPage))
	if err := flags.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if flags.NArg() != 0 {
		return usageError{"reports takes no arguments but its flags"}
	}
	page, err := m.OpenReports(ctx, *after, *limit)
	if err != nil {
		return err
	}
	reports := make([]core.Report, 0, len(page))
	for _, r := range page {
		withEvidence, err := m.Report(ctx, r.ID)
		if err != nil {
			return err
		}
		reports = append(reports, withEvidence)
	}
	next := ""
	if len(page) == *limit {
		next = page[len(page)-1].ID
	}
	return out.reports(reports, next)
}

func showReport(ctx context.Context, m *core.Moderator, args []string, out *output, _ io.Writer) error {
	id, err := oneArgument(args, "report ID")
	if err != nil {
		return err
	}
	r, err := m.Report(ctx, id)
	if err != nil {
		return err
	}
	return out.report(r)
}

func dismissReport(ctx context.Context, m *core.Moderator, args []string, out *output, _ io.Writer) error {
	id, err := oneArgument(args, "report ID")
	if err != nil {
		return err
	}
	if err := m.Dismiss(ctx, id); err != nil {
		return err
	}
	return out.done(map[string]string{"report": id, "resolution": string(core.ResolutionDismissed)}, "Report %s dismissed.", id)
}

func suspendAccount(ctx context.Context, m *core.Moderator, args []string, out *output, stderr io.Writer) error {
	flags := flag.NewFlagSet("suspend", flag.ContinueOnError)
	flags.SetOutput(stderr)
	reason := flags.String("reason", "", "why, kept with the suspension (required)")
	if err := flags.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	email, err := oneArgument(flags.Args(), "email")
	if err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return usageError{"say why with -reason"}
	}
	s, err := m.Suspend(ctx, email, *reason)
	if err != nil {
		return err
	}
	return out.done(suspensionJSON(s), "%s is suspended: no sends, posts or connections until reinstated. Open reports about them are closed.", s.Email)
}

func reinstateAccount(ctx context.Context, m *core.Moderator, args []string, out *output, _ io.Writer) error {
	email, err := oneArgument(args, "email")
	if err != nil {
		return err
	}
	if err := m.Reinstate(ctx, email); err != nil {
		return err
	}
	return out.done(map[string]string{"email": strings.ToLower(strings.TrimSpace(email)), "status": "active"}, "%s is reinstated.", strings.TrimSpace(email))
}

func accountStatus(ctx context.Context, m *core.Moderator, args []string, out *output, _ io.Writer) error {
	email, err := oneArgument(args, "email")
	if err != nil {
		return err
	}
	s, err := m.Suspension(ctx, email)
	switch {
	case core.ErrorCode(err) == core.ENOTFOUND:
		return out.done(map[string]string{"email": strings.ToLower(strings.TrimSpace(email)), "status": "active"}, "%s is not suspended.", strings.TrimSpace(email))
	case err != nil:
		return err
	}
	return out.done(suspensionJSON(s), "%s is suspended since %s: %s", s.Email, s.Date.Format(time.RFC3339), s.Reason)
}

func suspensionJSON(s core.Suspension) map[string]string {
	return map[string]string{"email": s.Email, "status": "suspended", "reason": s.Reason, "date": s.Date.Format(time.RFC3339)}
}

// output prints results as text for a person or as JSON for a script.
type output struct {
	w    io.Writer
	json bool
}

type reportJSON struct {
	ID         string        `json:"id"`
	Reporter   string        `json:"reporter"`
	Reported   string        `json:"reported"`
	Text       string        `json:"text"`
	Date       string        `json:"date"`
	Resolution string        `json:"resolution,omitempty"`
	Closed     string        `json:"closed,omitempty"`
	Evidence   []messageJSON `json:"evidence"`
}

type messageJSON struct {
	ID     string `json:"id"`
	Sender string `json:"sender"`
	Text   string `json:"message"`
	Date   string `json:"date"`
}

func toReportJSON(r core.Report) reportJSON {
	out := reportJSON{ID: r.ID, Reporter: r.Reporter, Reported: r.Reported, Text: r.Text, Date: r.Date.Format(time.RFC3339),
		Resolution: string(r.Resolution), Evidence: make([]messageJSON, 0, len(r.Evidence))}
	if !r.Closed.IsZero() {
		out.Closed = r.Closed.Format(time.RFC3339)
	}
	for _, m := range r.Evidence {
		out.Evidence = append(out.Evidence, messageJSON{ID: m.ID, Sender: m.Sender, Text: m.Text, Date: m.Date.Format(time.RFC3339)})
	}
	return out
}

func (o *output) encode(v any) error {
	encoder := json.NewEncoder(o.w)
	encoder.SetIndent("", "  ")
	return encoder.Encode(v)
}

func (o *output) reports(reports []core.Report, next string) error {
	if o.json {
		out := struct {
			Reports []reportJSON `json:"reports"`
			Next    string       `json:"next,omitempty"`
		}{Reports: make([]reportJSON, 0, len(reports)), Next: next}
		for _, r := range reports {
			out.Reports = append(out.Reports, toReportJSON(r))
		}
		return o.encode(out)
	}
	if len(reports) == 0 {
		_, err := fmt.Fprintln(o.w, "No open reports.")
		return err
	}
	for _, r := range reports {
		if err := o.report(r); err != nil {
			return err
		}
	}
	if next != "" {
		_, err := fmt.Fprintf(o.w, "More: parley-admin reports -after %s\n", next)
		return err
	}
	return nil
}

func (o *output) report(r core.Report) error {
	if o.json {
		return o.encode(toReportJSON(r))
	}
	status := "open"
	if r.Resolution != "" {
		status = fmt.Sprintf("%s %s", r.Resolution, r.Closed.Format(time.RFC3339))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Report %s (%s)\n  %s reported %s at %s:\n  %q\n", r.ID, status, r.Reporter, r.Reported, r.Date.Format(time.RFC3339), r.Text)
	fmt.Fprintf(&b, "  Evidence, the %d latest messages before it:\n", len(r.Evidence))
	for _, m := range r.Evidence {
		fmt.Fprintf(&b, "    %s  %s: %q\n", m.Date.Format(time.RFC3339), m.Sender, m.Text)
	}
	_, err := fmt.Fprintln(o.w, b.String())
	return err
}

func (o *output) done(v any, format string, args ...any) error {
	if o.json {
		return o.encode(v)
	}
	_, err := fmt.Fprintf(o.w, format+"\n", args...)
	return err
}
