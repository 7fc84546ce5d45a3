// Package lambdas wires Parley once for every entry point. Each route's Lambda
// (the folders below), the local server and the component tests build their
// handler with NewHandler, so the three cannot drift apart.
package lambdas

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/emf"
	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/adapters/push"
	"github.com/parley-chat/parley/adapters/ulid"
	"github.com/parley-chat/parley/core"
)

// Config is what every entry point reads from its environment.
type Config struct {
	// TableName is the DynamoDB table (PARLEY_TABLE_NAME).
	TableName string
	// DynamoDBEndpoint overrides the DynamoDB endpoint, for DynamoDB Local
	// (PARLEY_DYNAMODB_ENDPOINT).
	DynamoDBEndpoint string
	// AllowedOrigin is the SPA origin allowed by CORS (PARLEY_ALLOWED_ORIGIN).
	AllowedOrigin string
	// WebSocketCallbackURL is the @connections endpoint of the WebSocket API's
	// stage (PARLEY_WS_CALLBACK_URL); set only for the functions that push.
	WebSocketCallbackURL string
	// OIDCIssuer and OIDCClientID are the issuer and audience the claims
	// must name (PARLEY_OIDC_ISSUER, PARLEY_OIDC_CLIENT_ID); a Lambda
	// refuses to start without them.
	OIDCIssuer   string
	OIDCClientID string
	// Metrics, when set, receives the function's metrics (Start sets it;
	// not read from the environment).
	Metrics *emf.Writer
}

// ConfigFromEnv reads the configuration from the environment.
func ConfigFromEnv() Config {
	return Config{
		TableName:        os.Getenv("PARLEY_TABLE_NAME"),
		DynamoDBEndpoint: os.Getenv("PARLEY_DYNAMODB_ENDPOINT"),
		AllowedOrigin:    os.Getenv("PARLEY_ALLOWED_ORIGIN"),

		WebSocketCallbackURL: os.Getenv("PARLEY_WS_CALLBACK_URL"),
		OIDCIssuer:           os.Getenv("PARLEY_OIDC_ISSUER"),
		OIDCClientID:         os.Getenv("PARLEY_OIDC_CLIENT_ID"),
	}
}

// NewLogger returns the JSON logger every entry point writes with.
func NewLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, nil))
}

// NewDynamoDBStore returns the store on the configured DynamoDB table.
func NewDynamoDBStore(ctx context.Context, config Config) (*dynamodb.Store, error) {
	awsConfig, err := loadAWSConfig(ctx, config)
	if err != nil {
		return nil, err
	}
	return dynamoDBStoreFrom(awsConfig, config)
}

// dynamoDBStoreFrom is the store on the configured table, with a client of
// awsConfig, loaded once per cold start.
func dynamoDBStoreFrom(awsConfig aws.Config, config Config) (*dynamodb.Store, error) {
	if config.TableName == "" {
		return nil, fmt.Errorf("PARLEY_TABLE_NAME is not set")
	}
	return dynamodb.New(dynamoDBClientFrom(awsConfig, config), config.TableName), nil
}

// NewDynamoDBClient returns a DynamoDB client for the configured endpoint.
// With an endpoint override (DynamoDB Local) it needs no AWS credentials.
func NewDynamoDBClient(ctx context.Context, config Config) (*awsdynamodb.Client, error) {
	awsConfig, err := loadAWSConfig(ctx, config)
	if err != nil {
		return nil, err
	}
	return dynamoDBClientFrom(awsConfig, config), nil
}

// loadAWSConfig loads the AWS configuration: the Lambda's own, or a static
// one for DynamoDB Local when an endpoint override is set.
func loadAWSConfig(ctx context.Context, config Config) (aws.Config, error) {
	var options []func(*awsconfig.LoadOptions) error
	if config.DynamoDBEndpoint != "" {
		options = append(options,
			awsconfig.WithRegion(envOr("AWS_REGION", "us-east-1")),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	awsConfig, err := awsconfig.LoadDefaultConfig(ctx, options...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return awsConfig, nil
}

func dynamoDBClientFrom(awsConfig aws.Config, config Config) *awsdynamodb.Client {
	return awsdynamodb.NewFromConfig(awsConfig, func(o *awsdynamodb.Options) {
		if config.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(config.DynamoDBEndpoint)
			// DynamoDB Local does not always send the CRC32 of a response.
			o.DisableValidateResponseChecksum = true
		}
	})
}

// NewService returns the core service over store, with the real clock and
// ULIDs for IDs.
func NewService(store core.Store, opts ...core.Option) *core.Service {
	now := func() time.Time { return time.Now().UTC() }
	return core.NewService(store, now, ulid.NewGenerator().NewID, opts...)
}

// NewHandler returns the handler of every REST route over service.
func NewHandler(service *core.Service, config Config, logger *slog.Logger) *apigateway.Handler {
	return apigateway.NewHandler(service, apigateway.Config{
		AllowedOrigin: config.AllowedOrigin, Issuer: config.OIDCIssuer, Audience: config.OIDCClientID,
		Observe: observeRequests(config.Metrics, logger),
	}, logger)
}

// NewWebSocketHandler returns the handler of every WebSocket route over
// service, verifying tokens with verifier.
func NewWebSocketHandler(service *core.Service, verifier apigateway.TokenVerifier, config Config, logger *slog.Logger) *apigateway.WebSocketHandler {
	return apigateway.NewWebSocketHandler(service, verifier, apigateway.Config{AllowedOrigin: config.AllowedOrigin}, logger)
}

// PushOptions are the service options that make it push through pusher,
// logging every failure and the count of every write's pushes.
func PushOptions(pusher core.Pusher, logger *slog.Logger) []core.Option {
	return pushOptions(pusher, logger, nil)
}

func pushOptions(pusher core.Pusher, logger *slog.Logger, metrics *emf.Writer) []core.Option {
	return []core.Option{
		core.WithPusher(loggingPusher{next: pusher, logger: logger}),
		core.WithPushObserver(func(r core.PushReport) {
			logger.Info("pushed", "delivered", r.Delivered, "gone", r.Gone, "failed", r.Failed)
			countPushes(metrics, logger, r)
		}),
	}
}

// loggingPusher logs each push that failed for another reason than a gone
// connection.
type loggingPusher struct {
	next   core.Pusher
	logger *slog.Logger
}

// Push implements core.Pusher.
func (p loggingPusher) Push(ctx context.Context, c core.Connection, e core.Event) error {
	err := p.next.Push(ctx, c, e)
	if err != nil && !errors.Is(err, core.ErrConnectionGone) {
		p.logger.WarnContext(ctx, "push failed", "connection_id", c.ID, "error", err.Error())
	}
	return err
}

// newAWSService is the service of a Lambda: the DynamoDB store and, where
// the function pushes, the @connections client of the WebSocket API.
func newAWSService(ctx context.Context, config Config, logger *slog.Logger) (*core.Service, error) {
	// One configuration for both clients: loading it reads the environment
	// and files, on every cold start.
	awsConfig, err := loadAWSConfig(ctx, config)
	if err != nil {
		return nil, err
	}
	store, err := dynamoDBStoreFrom(awsConfig, config)
	if err != nil {
		return nil, err
	}
	limit, err := SendLimitFromEnv()
	if err != nil {
		return nil, err
	}
	options, err := BudgetOptions(store, limit)
	if err != nil {
		return nil, err
	}
	if config.WebSocketCallbackURL == "" {
		return NewService(store, options...), nil
	}
	httpClient := &http.Client{Timeout: core.PushDeadline}
	pusher, err := push.New(httpClient, config.WebSocketCallbackURL, awsConfig.Region, awsConfig.Credentials, apigateway.EncodeEvent)
	if err != nil {
		return nil, err
	}
	return NewService(store, append(options, pushOptions(pusher, logger, config.Metrics)...)...), nil
}

// Start is the whole of a REST route's Lambda: it wires the route once, at
// cold start, and serves its events.
func Start(route string) {
	logger := NewLogger()
	config := ConfigFromEnv()
	config.Metrics = NewMetrics(route)
	service, err := newAWSService(context.Background(), config, logger)
	if err == nil && (config.OIDCIssuer == "" || config.OIDCClientID == "") {
		err = fmt.Errorf("PARLEY_OIDC_ISSUER and PARLEY_OIDC_CLIENT_ID must name the authorizer's issuer and audience")
	}
	if err != nil {
		logger.Error("cannot start", "route", route, "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(NewHandler(service, config, logger).Route(route))
}

// StartWebSocket is the whole of a WebSocket route's Lambda. $connect
// verifies ID tokens itself against the configured issuer (PARLEY_OIDC_*).
func StartWebSocket(route string) {
	logger := NewLogger()
	config := ConfigFromEnv()
	config.Metrics = NewMetrics(route)
	ctx := context.Background()
	service, err := newAWSService(ctx, config, logger)
	if err != nil {
		logger.Error("cannot start", "route", route, "error", err.Error())
		os.Exit(1)
	}
	verifier, err := webSocketVerifier(ctx, route)
	if err != nil {
		logger.Error("cannot start", "route", route, "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(NewWebSocketHandler(service, verifier, config, logger).WebSocketRoute(route))
}

// webSocketVerifier is the token verifier of the WebSocket route: only a route
// that verifies tokens ($connect) builds one on the configured issuer, which
// fetches its keys at cold start; every other route gets refuseEveryToken and
// fetches nothing.
func webSocketVerifier(ctx context.Context, route string) (apigateway.TokenVerifier, error) {
	issuer, ok := oidc.ConfigFromEnv()
	if !ok || !verifiesTokens(route) {
		return refuseEveryToken{}, nil
	}
	return oidc.NewVerifier(ctx, issuer, nil)
}

// verifiesTokens reports whether the WebSocket route verifies ID tokens, as
// the route table says.
func verifiesTokens(route string) bool {
	for _, r := range apigateway.WebSocketRoutes {
		if r.Name == route {
			return r.VerifiesTokens
		}
	}
	return false
}

// refuseEveryToken is the verifier of a function with no issuer configured,
// which never needs one: only $connect verifies tokens.
type refuseEveryToken struct{}

// Verify implements apigateway.TokenVerifier: it refuses every token.
func (refuseEveryToken) Verify(context.Context, string) (map[string]string, error) {
	return nil, core.Errorf(core.EUNAUTHORIZED, "No issuer is configured.")
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
