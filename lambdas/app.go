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
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/emf"
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
	// ExportsBucket is the private bucket of export documents
	// (PARLEY_EXPORTS_BUCKET), for the functions that export.
	ExportsBucket string
	// UserPoolID is the Cognito user pool whose users the functions that
	// delete accounts delete (PARLEY_USER_POOL_ID).
	UserPoolID string
	// Metrics, when set, receives the function's metrics (Start sets it;
	// not read from the environment).
	Metrics *emf.Writer
	// VAPIDPublicKeyParameter is the SSM parameter of the deployment's VAPID
	// public key (PARLEY_VAPID_PUBLIC_KEY_PARAMETER); set only for push-key.
	VAPIDPublicKeyParameter string
	// Extras builds what only some routes use, as the route's main gives
	// it (Start; package lambdas/extra); not read from the environment.
	Extras Extras
}

// Extras are the builders of what only some routes use: package
// lambdas/extra has them, and a route's main names those its route needs
// (lambdas.Start("export", extra.Exports)). Package lambdas does not import
// them, so that no other function's binary links their packages (S3, the
// export document, Cognito, the OpenID keys, SSM), whose size and
// initialisation every cold start of every route paid.
type Extras struct {
	// IdentityDirectory is the directory of the routes that delete users
	// (Cognito's user pool userPoolID).
	IdentityDirectory func(awsConfig aws.Config, userPoolID string) core.IdentityDirectory
	// Exports are the exports of the routes that export, into bucket.
	Exports func(awsConfig aws.Config, bucket string) (core.Exports, error)
	// TokenVerifier is the verifier of the routes that verify tokens
	// ($connect), on the issuer the environment names, whose keys it
	// fetches; nil and no error when the environment names none.
	TokenVerifier func(ctx context.Context) (apigateway.TokenVerifier, error)
	// PushKey reads the deployment's VAPID public key from the SSM
	// parameter, for push-key.
	PushKey func(ctx context.Context, awsConfig aws.Config, parameter string) (core.Option, error)
}

// Extra gives a function one of Extras.
type Extra func(*Extras)

// ConfigFromEnv reads the configuration from the environment.
func ConfigFromEnv() Config {
	return Config{
		TableName:        os.Getenv("PARLEY_TABLE_NAME"),
		DynamoDBEndpoint: os.Getenv("PARLEY_DYNAMODB_ENDPOINT"),
		AllowedOrigin:    os.Getenv("PARLEY_ALLOWED_ORIGIN"),

		WebSocketCallbackURL: os.Getenv("PARLEY_WS_CALLBACK_URL"),
		OIDCIssuer:           os.Getenv("PARLEY_OIDC_ISSUER"),
		OIDCClientID:         os.Getenv("PARLEY_OIDC_CLIENT_ID"),

		VAPIDPublicKeyParameter: os.Getenv("PARLEY_VAPID_PUBLIC_KEY_PARAMETER"),
		UserPoolID:              os.Getenv("PARLEY_USER_POOL_ID"),
		ExportsBucket:           os.Getenv("PARLEY_EXPORTS_BUCKET"),
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
// awsConfig, loaded once per cold start (LoadStore).
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
func loadAWSConfig(ctx context.Context, config Config, extra ...func(*awsconfig.LoadOptions) error) (aws.Config, error) {
	options := slices.Clone(extra)
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
// logging every failure and the count of every write's pushes, and remember
// the connections whose frames it serves (core.WithKnownConnections).
func PushOptions(pusher core.Pusher, logger *slog.Logger) []core.Option {
	return pushOptions(pusher, logger, nil)
}

func pushOptions(pusher core.Pusher, logger *slog.Logger, metrics *emf.Writer) []core.Option {
	return []core.Option{
		core.WithPusher(loggingPusher{next: pusher, logger: logger}),
		core.WithKnownConnections(core.DefaultKnownConnections),
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

// Disconnect implements core.Pusher, logging a close that failed.
func (p loggingPusher) Disconnect(ctx context.Context, connectionID string) error {
	err := p.next.Disconnect(ctx, connectionID)
	if err != nil {
		p.logger.WarnContext(ctx, "disconnect failed", "connection_id", connectionID, "error", err.Error())
	}
	return err
}

// Function is what one route's Lambda builds at cold start: only what its
// route uses, as the route tables say (apigateway.Routes and
// apigateway.WebSocketRoutes).
type Function struct {
	Service *core.Service
	// Pusher is the @connections client, nil for a route that never pushes.
	Pusher core.Pusher
	// Verifier verifies ID tokens, with the issuer's keys fetched at cold
	// start; nil for a route that never sees a token (every REST route:
	// API Gateway's JWT authorizer verifies them).
	Verifier apigateway.TokenVerifier
	// Metrics is the metrics writer, nil for a route with nothing to count.
	Metrics *emf.Writer
}

// routeNeeds is what the route tables say a function uses.
type routeNeeds struct {
	found, rest, pushes, verifiesTokens, deletesUsers, exports bool
}

func needsOf(route string) routeNeeds {
	for _, r := range apigateway.Routes {
		if r.Name == route {
			return routeNeeds{found: true, rest: true, pushes: r.Pushes, deletesUsers: r.DeletesUsers, exports: r.Exports}
		}
	}
	for _, r := range apigateway.WebSocketRoutes {
		if r.Name == route {
			return routeNeeds{found: true, pushes: r.Pushes, verifiesTokens: r.VerifiesTokens}
		}
	}
	return routeNeeds{}
}

// NewFunction builds the function of route, REST or WebSocket, once per
// cold start: one AWS configuration and one DynamoDB client for every route;
// the @connections client and the metrics of its pushes only where the route
// pushes; the metrics of requests only for REST routes, which count their
// outcomes; the token verifier, which fetches the issuer's keys, only where
// the route verifies tokens.
func NewFunction(ctx context.Context, route string, config Config, logger *slog.Logger) (*Function, error) {
	needs := needsOf(route)
	if !needs.found {
		return nil, fmt.Errorf("no route %q in the route tables", route)
	}
	store, awsConfig, err := LoadStore(ctx, config)
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
	f := &Function{}
	if needs.rest || needs.pushes {
		f.Metrics = config.Metrics
		if f.Metrics == nil {
			f.Metrics = NewMetrics(route)
		}
	}
	if needs.pushes {
		if config.WebSocketCallbackURL == "" {
			return nil, fmt.Errorf("route %s pushes but PARLEY_WS_CALLBACK_URL is not set", route)
		}
		httpClient := &http.Client{Timeout: core.PushDeadline}
		if f.Pusher, err = push.New(httpClient, config.WebSocketCallbackURL, awsConfig.Region, awsConfig.Credentials, apigateway.EncodeEvent); err != nil {
			return nil, err
		}
		options = append(options, pushOptions(f.Pusher, logger, f.Metrics)...)
	}
	if needs.deletesUsers {
		if config.UserPoolID == "" {
			return nil, fmt.Errorf("route %s deletes users but PARLEY_USER_POOL_ID is not set", route)
		}
		if config.Extras.IdentityDirectory == nil {
			return nil, fmt.Errorf("route %s deletes users but its main gives no identity directory (extra.IdentityDirectory)", route)
		}
		options = append(options, core.WithIdentityDirectory(config.Extras.IdentityDirectory(awsConfig, config.UserPoolID)))
	}
	if needs.exports {
		if config.ExportsBucket == "" {
			return nil, fmt.Errorf("route %s exports but PARLEY_EXPORTS_BUCKET is not set", route)
		}
		if config.Extras.Exports == nil {
			return nil, fmt.Errorf("route %s exports but its main gives no exports (extra.Exports)", route)
		}
		exports, err := config.Extras.Exports(awsConfig, config.ExportsBucket)
		if err != nil {
			return nil, err
		}
		options = append(options, core.WithExports(exports))
	}
	if !needs.rest {
		if f.Verifier, err = webSocketVerifier(ctx, route, needs.verifiesTokens, config.Extras); err != nil {
			return nil, err
		}
	}
	if config.VAPIDPublicKeyParameter != "" {
		if config.Extras.PushKey == nil {
			return nil, fmt.Errorf("route %s reads a push key but its main gives no reader (extra.PushKey)", route)
		}
		pushKey, err := config.Extras.PushKey(ctx, awsConfig, config.VAPIDPublicKeyParameter)
		if err != nil {
			return nil, err
		}
		options = append(options, pushKey)
	}
	f.Service = NewService(store, options...)
	return f, nil
}

// lambdaConfigOptions are the options of a Lambda's AWS configuration: a
// Lambda has no shared configuration or credentials files (its credentials
// are in its environment), so it does not look for them.
var lambdaConfigOptions = []func(*awsconfig.LoadOptions) error{
	awsconfig.WithSharedConfigFiles([]string{}),
	awsconfig.WithSharedCredentialsFiles([]string{}),
}

// Start is the whole of a REST route's Lambda: it wires the route once, at
// cold start, and serves its events.
func Start(route string, extras ...Extra) {
	logger := NewLogger()
	config := configWith(extras)
	f, err := NewFunction(context.Background(), route, config, logger)
	if err == nil && (config.OIDCIssuer == "" || config.OIDCClientID == "") {
		err = fmt.Errorf("PARLEY_OIDC_ISSUER and PARLEY_OIDC_CLIENT_ID must name the authorizer's issuer and audience")
	}
	if err != nil {
		logger.Error("cannot start", "route", route, "error", err.Error())
		os.Exit(1)
	}
	config.Metrics = f.Metrics
	lambda.Start(NewHandler(f.Service, config, logger).Route(route))
}

// StartWebSocket is the whole of a WebSocket route's Lambda. $connect
// verifies ID tokens itself against the configured issuer (PARLEY_OIDC_*).
func StartWebSocket(route string, extras ...Extra) {
	logger := NewLogger()
	config := configWith(extras)
	f, err := NewFunction(context.Background(), route, config, logger)
	if err != nil {
		logger.Error("cannot start", "route", route, "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(NewWebSocketHandler(f.Service, f.Verifier, config, logger).WebSocketRoute(route))
}

// configWith is the configuration from the environment, with the extras
// a function's main gives.
func configWith(extras []Extra) Config {
	config := ConfigFromEnv()
	for _, extra := range extras {
		extra(&config.Extras)
	}
	return config
}

// webSocketVerifier is the token verifier of a WebSocket route: only a route
// that verifies tokens ($connect) builds one (extras.TokenVerifier) on the
// configured issuer, which fetches its keys at cold start; every other
// route, and one with no issuer configured, gets refuseEveryToken and
// fetches nothing.
func webSocketVerifier(ctx context.Context, route string, verifiesTokens bool, extras Extras) (apigateway.TokenVerifier, error) {
	if !verifiesTokens {
		return refuseEveryToken{}, nil
	}
	if extras.TokenVerifier == nil {
		return nil, fmt.Errorf("route %s verifies tokens but its main gives no verifier (extra.TokenVerifier)", route)
	}
	verifier, err := extras.TokenVerifier(ctx)
	if verifier == nil && err == nil {
		return refuseEveryToken{}, nil
	}
	return verifier, err
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

// LoadStore loads a Lambda's AWS configuration, once per cold start (a
// static one for DynamoDB Local when an endpoint override is set), and
// returns the store on the configured table with it, and the configuration
// for whatever else the function calls.
func LoadStore(ctx context.Context, config Config) (*dynamodb.Store, aws.Config, error) {
	awsConfig, err := loadAWSConfig(ctx, config, lambdaConfigOptions...)
	if err != nil {
		return nil, aws.Config{}, err
	}
	store, err := dynamoDBStoreFrom(awsConfig, config)
	return store, awsConfig, err
}
