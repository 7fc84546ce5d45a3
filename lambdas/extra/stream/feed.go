// Package stream is the two functions the table's stream invokes, feed and
// notify (and the local server's stand-in for notify): apart from the routes'
// package lambdas and their extras, so that no route links S3, the feeds or
// Web Push.
package stream

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/parley-chat/parley/adapters/dynamodb"
	"github.com/parley-chat/parley/adapters/emf"
	"github.com/parley-chat/parley/adapters/feed"
	"github.com/parley-chat/parley/adapters/s3"
	"github.com/parley-chat/parley/core"
	"github.com/parley-chat/parley/lambdas"
)

// snapshotWriteTimeout bounds one request to S3.
const snapshotWriteTimeout = 10 * time.Second

// EncodeSnapshotObject is a snapshot as the object CloudFront serves: its
// JSON, with the short shared cache of every snapshot.
func EncodeSnapshotObject(snapshot core.Snapshot) (s3.Object, error) {
	body, err := feed.Encode(snapshot)
	return s3.Object{Body: body, ContentType: feed.ContentType, CacheControl: feed.CacheControl}, err
}

// NewFeedStreamHandler returns the feed Lambda's handler: snapshots built
// from store, written with awsConfig's credentials to the bucket at
// bucketURL.
func NewFeedStreamHandler(awsConfig aws.Config, store core.Store, bucketURL string) (*feed.StreamHandler, error) {
	writer, err := s3.New(&http.Client{Timeout: snapshotWriteTimeout}, bucketURL, awsConfig.Region, awsConfig.Credentials, EncodeSnapshotObject)
	if err != nil {
		return nil, err
	}
	logger, metrics := lambdas.NewLogger(), lambdas.NewMetrics("feed")
	handler := feed.NewStreamHandler(lambdas.NewService(store), writer, dynamodb.ChannelOfPostKey, logger)
	handler.Observe = func(written int) {
		if err := metrics.Count(map[string]int{emf.FeedSnapshotsWritten: written}); err != nil {
			logger.Warn("metrics not written", "error", err.Error())
		}
	}
	return handler, nil
}

// StartFeed is the whole of the feed Lambda, which the table stream's post
// records invoke: PARLEY_FEEDS_BUCKET names the bucket CloudFront serves
// /feeds/* from.
func StartFeed() {
	logger := lambdas.NewLogger()
	handler, err := newFeedHandler(context.Background(), lambdas.ConfigFromEnv())
	if err != nil {
		logger.Error("cannot start", "function", "feed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(handler.Handle)
}

// newFeedHandler builds the feed Lambda's handler on one load of the AWS
// configuration, for the table and the bucket alike.
func newFeedHandler(ctx context.Context, config lambdas.Config) (*feed.StreamHandler, error) {
	bucket := os.Getenv("PARLEY_FEEDS_BUCKET")
	if bucket == "" {
		return nil, fmt.Errorf("PARLEY_FEEDS_BUCKET is not set")
	}
	store, awsConfig, err := lambdas.LoadStore(ctx, config)
	if err != nil {
		return nil, err
	}
	return NewFeedStreamHandler(awsConfig, store, s3.BucketURL(bucket, awsConfig.Region))
}
