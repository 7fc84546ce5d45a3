// Package lambdas wires Parley once for every entry point. Each route's Lambda
// (the folders below), the local server and the component tests build their
// handler with NewHandler, so the three cannot drift apart.
package lambdas

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/dynamodb"
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
	// OIDCIssuer and OIDCClientID are the issuer and audience the claims
	// must name (PARLEY_OIDC_ISSUER, PARLEY_OIDC_CLIENT_ID); a Lambda
	// refuses to start without them.
	OIDCIssuer   string
	OIDCClientID string
}

// ConfigFromEnv reads the configuration from the environment.
func ConfigFromEnv() Config {
	return Config{
		TableName:        os.Getenv("PARLEY_TABLE_NAME"),
		DynamoDBEndpoint: os.Getenv("PARLEY_DYNAMODB_ENDPOINT"),
		AllowedOrigin:    os.Getenv("PARLEY_ALLOWED_ORIGIN"),
		OIDCIssuer:       os.Getenv("PARLEY_OIDC_ISSUER"),
		OIDCClientID:     os.Getenv("PARLEY_OIDC_CLIENT_ID"),
	}
}

// NewLogger returns the JSON logger every entry point writes with.
func NewLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, nil))
}

// NewDynamoDBStore returns the store on the configured DynamoDB table.
func NewDynamoDBStore(ctx context.Context, config Config) (*dynamodb.Store, error) {
	if config.TableName == "" {
		return nil, fmt.Errorf("PARLEY_TABLE_NAME is not set")
	}
	client, err := NewDynamoDBClient(ctx, config)
	if err != nil {
		return nil, err
	}
	return dynamodb.New(client, config.TableName), nil
}

// NewDynamoDBClient returns a DynamoDB client for the configured endpoint.
// With an endpoint override (DynamoDB Local) it needs no AWS credentials.
func NewDynamoDBClient(ctx context.Context, config Config) (*awsdynamodb.Client, error) {
	var options []func(*awsconfig.LoadOptions) error
	if config.DynamoDBEndpoint != "" {
		options = append(options,
			awsconfig.WithRegion(envOr("AWS_REGION", "us-east-1")),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	awsConfig, err := awsconfig.LoadDefaultConfig(ctx, options...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return awsdynamodb.NewFromConfig(awsConfig, func(o *awsdynamodb.Options) {
		if config.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(config.DynamoDBEndpoint)
			// DynamoDB Local does not always send the CRC32 of a response.
			o.DisableValidateResponseChecksum = true
		}
	}), nil
}

// NewService returns the core service over store, with the real clock and
// ULIDs for IDs.
func NewService(store core.Store) *core.Service {
	now := func() time.Time { return time.Now().UTC() }
	return core.NewService(store, now, ulid.NewGenerator(now).NewID)
}

// NewHandler returns the handler of every REST route over store.
func NewHandler(store core.Store, config Config, logger *slog.Logger) *apigateway.Handler {
	return apigateway.NewHandler(NewService(store), apigateway.Config{
		AllowedOrigin: config.AllowedOrigin, Issuer: config.OIDCIssuer, Audience: config.OIDCClientID,
	}, logger)
}

// Start is the whole of a route's Lambda: it wires the route on the DynamoDB
// store once, at cold start, and serves its events.
func Start(route string) {
	logger := NewLogger()
	config := ConfigFromEnv()
	store, err := NewDynamoDBStore(context.Background(), config)
	if err == nil && (config.OIDCIssuer == "" || config.OIDCClientID == "") {
		err = fmt.Errorf("PARLEY_OIDC_ISSUER and PARLEY_OIDC_CLIENT_ID must name the authorizer's issuer and audience")
	}
	if err != nil {
		logger.Error("cannot start", "route", route, "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(NewHandler(store, config, logger).Route(route))
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
