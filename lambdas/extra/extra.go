// Package extra builds what only some of Parley's functions use: the
// exports to S3 and their document (export), the Cognito directory
// (delete-account), the token verifier that fetches the issuer's keys
// (ws-connect) and the VAPID key read from SSM (push-key); package stream
// below it, the two functions of the table's stream (feed, notify). Package
// lambdas does not import them: a function's main names what it needs
// (lambdas.Start("export", extra.Exports)), so that no other function's
// binary links these packages, whose size and initialisation every cold
// start paid.
package extra

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/parley-chat/parley/adapters/apigateway"
	"github.com/parley-chat/parley/adapters/cognito"
	"github.com/parley-chat/parley/adapters/exportdoc"
	"github.com/parley-chat/parley/adapters/oidc"
	"github.com/parley-chat/parley/adapters/s3"
	"github.com/parley-chat/parley/adapters/ssm"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
)

// All gives a function every extra: for a caller that builds any route
// (the tests).
func All(e *lambdas.Extras) {
	for _, extra := range []lambdas.Extra{IdentityDirectory, Exports, TokenVerifier, PushKey} {
		extra(e)
	}
}

// IdentityDirectory gives a function Cognito's user pool as the directory
// whose users delete-account deletes.
func IdentityDirectory(e *lambdas.Extras) {
	e.IdentityDirectory = func(awsConfig aws.Config, userPoolID string) core.IdentityDirectory {
		return cognito.New(&http.Client{Timeout: 10 * time.Second}, awsConfig.Region, userPoolID, "", awsConfig.Credentials)
	}
}

// Exports gives a function the exports of the export route: documents
// (ExportsTo) written to the private bucket.
func Exports(e *lambdas.Extras) {
	e.Exports = func(awsConfig aws.Config, bucket string) (core.Exports, error) {
		// Uploads take longer than the @connections' deadline: the function's own timeout bounds them.
		archive, err := s3.NewExports(&http.Client{}, s3.BucketURL(bucket, awsConfig.Region), awsConfig.Region, awsConfig.Credentials)
		if err != nil {
			return core.Exports{}, err
		}
		return ExportsTo(archive), nil
	}
}

// ExportsTo is what the service exports to: archive, the JSON document
// (adapters/exportdoc).
func ExportsTo(archive core.ExportArchive) core.Exports {
	return core.Exports{Archive: archive, Render: exportdoc.New}
}

// TokenVerifier gives $connect its token verifier, on the issuer of the
// environment (PARLEY_OIDC_*), which fetches the issuer's keys at cold start.
func TokenVerifier(e *lambdas.Extras) {
	e.TokenVerifier = func(ctx context.Context) (apigateway.TokenVerifier, error) {
		issuer, ok := oidc.ConfigFromEnv()
		if !ok {
			return nil, nil
		}
		return oidc.NewVerifier(ctx, issuer, nil)
	}
}

// PushKey gives push-key the reader of the deployment's VAPID public key,
// from its SSM parameter, once per cold start.
func PushKey(e *lambdas.Extras) {
	e.PushKey = readPushKey
}

func readPushKey(ctx context.Context, awsConfig aws.Config, name string) (core.Option, error) {
	key, err := ssm.ReadAtColdStart(ctx, awsConfig.Region, awsConfig.Credentials, name)
	if err != nil {
		return nil, fmt.Errorf("VAPID public key: %w", err)
	}
	return core.WithPushKey(key[0]), nil
}
