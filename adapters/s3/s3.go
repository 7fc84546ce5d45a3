// Package s3 publishes feed snapshots as objects of an S3 bucket, for
// CloudFront to serve: a signed PUT (Signature Version 4 over net/http, as
// adapters/push does, so Parley needs no S3 SDK module) that only replaces
// the object it read, so two writers never race on one snapshot.
package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/parley-chat/parley/core"
)

var _ core.SnapshotWriter = (*Writer)(nil)

// KeyPrefix is where snapshots live in the bucket: feeds/<channel>.json,
// the path CloudFront's /feeds/* behaviour serves.
const KeyPrefix = "feeds/"

// seqHeader carries a snapshot's Seq as object metadata, so a writer can tell
// whether the object is newer than what it holds without reading the body.
const seqHeader = "X-Amz-Meta-Seq"

// maxAttempts bounds the rounds of read-then-conditional-write on one
// object; each lost round means another writer published meanwhile.
const maxAttempts = 8

// Object is what a snapshot becomes in the bucket.
type Object struct {
	Body         []byte
	ContentType  string
	CacheControl string
}

// Encoder renders a snapshot as its object.
type Encoder func(core.Snapshot) (Object, error)

// Writer writes snapshots to one bucket. It is safe for concurrent use.
type Writer struct {
	http        *http.Client
	bucket      *url.URL
	region      string
	credentials aws.CredentialsProvider
	signer      *v4.Signer
	encode      Encoder
	now         func() time.Time
}

// BucketURL is the virtual-hosted URL of bucket in region.
func BucketURL(bucket, region string) string {
	return "https://" + bucket + ".s3." + region + ".amazonaws.com"
}

// New returns a writer to the bucket at bucketURL (BucketURL, or a
// path-style URL such as http://127.0.0.1:5000/<bucket> for an emulator),
// signing as credentials in region.
func New(httpClient *http.Client, bucketURL, region string, credentials aws.CredentialsProvider, encode Encoder) (*Writer, error) {
	bucket, signer, err := bucketAndSigner(bucketURL)
	if err != nil {
		return nil, err
	}
	return &Writer{http: httpClient, bucket: bucket, region: region, credentials: credentials, signer: signer, encode: encode, now: time.Now}, nil
}

// bucketAndSigner parses bucketURL and makes the signer of its requests: S3
// signs the path as it is sent, not escaped again.
func bucketAndSigner(bucketURL string) (*url.URL, *v4.Signer, error) {
	bucket, err := url.Parse(strings.TrimSuffix(bucketURL, "/"))
	if err != nil || (bucket.Scheme != "https" && bucket.Scheme != "http") || bucket.Host == "" {
		return nil, nil, fmt.Errorf("s3: bucket URL %q is not an http(s) URL", bucketURL)
	}
	return bucket, v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }), nil
}

// errPreconditionFailed is a conditional PUT that lost to another writer.
var errPreconditionFailed = errors.New("the object changed since it was read")

// WriteSnapshot implements core.SnapshotWriter: it reads the object's ETag
// and Seq (HEAD), returns false when that Seq is not older than s's, and
// otherwise PUTs s with If-Match on that ETag (If-None-Match: * when there is
// no object), so a PUT never replaces an object it did not read; a lost
// race starts over.
func (w *Writer) WriteSnapshot(ctx context.Context, s core.Snapshot) (bool, error) {
	object, err := w.encode(s)
	if err != nil {
		return false, err
	}
	key := KeyPrefix + s.Channel + ".json"
	for range maxAttempts {
		etag, seq, found, err := w.head(ctx, key)
		if err != nil {
			return false, err
		}
		if found && seq >= s.Seq {
			return false, nil
		}
		err = w.put(ctx, key, object, s.Seq, etag, found)
		if !errors.Is(err, errPreconditionFailed) {
			return err == nil, err
		}
	}
	return false, fmt.Errorf("put %s: %d writers in a row changed it first: %w", key, maxAttempts, errPreconditionFailed)
}

func (w *Writer) head(ctx context.Context, key string) (etag string, seq int64, found bool, err error) {
	res, err := w.do(ctx, http.MethodHead, key, nil, nil)
	if err != nil {
		return "", 0, false, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusNotFound, http.StatusForbidden:
		// Without s3:ListBucket S3 answers 403 for a missing object; the
		// feed role is not granted it (the stack's permissions boundary
		// holds no bucket listing), so both mean "none yet". The PUT with
		// If-None-Match: * that follows fails if one does exist.
		return "", 0, false, nil
	case http.StatusOK:
		seq, err := strconv.ParseInt(res.Header.Get(seqHeader), 10, 64)
		if err != nil {
			seq = -1 // an object without a Seq is older than any snapshot
		}
		return res.Header.Get("ETag"), seq, true, nil
	default:
		return "", 0, false, fmt.Errorf("head %s: status %d", key, res.StatusCode)
	}
}

func (w *Writer) put(ctx context.Context, key string, object Object, seq int64, etag string, found bool) error {
	headers := map[string]string{
		"Content-Type":  object.ContentType,
		"Cache-Control": object.CacheControl,
		seqHeader:       strconv.FormatInt(seq, 10),
	}
	if found {
		headers["If-Match"] = etag
	} else {
		headers["If-None-Match"] = "*"
	}
	res, err := w.do(ctx, http.MethodPut, key, object.Body, headers)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusPreconditionFailed, res.StatusCode == http.StatusConflict:
		// 409 ConditionalRequestConflict: a concurrent conditional write.
		return errPreconditionFailed
	case res.StatusCode/100 != 2:
		detail, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
		return fmt.Errorf("put %s: status %d: %s", key, res.StatusCode, detail)
	}
	return nil
}

// do sends one signed request for key and returns the response, its body
// still to be closed.
func (w *Writer) do(ctx context.Context, method, key string, body []byte, headers map[string]string) (*http.Response, error) {
	target := *w.bucket
	target.Path = w.bucket.Path + "/" + key
	req, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, key, err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	credentials, err := w.credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s %s: credentials: %w", method, key, err)
	}
	if err := w.signer.SignHTTP(ctx, credentials, req, payloadHash, "s3", w.region, w.now()); err != nil {
		return nil, fmt.Errorf("%s %s: sign: %w", method, key, err)
	}
	res, err := w.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, key, err)
	}
	if method == http.MethodHead {
		_, _ = io.Copy(io.Discard, res.Body)
	}
	return res, nil
}
