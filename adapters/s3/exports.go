package s3

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/parley-chat/parley/core"
)

var _ core.ExportArchive = (*Exports)(nil)

// ExportPrefix is where export documents live in the exports bucket, whose
// lifecycle deletes them after a day.
const ExportPrefix = "exports/"

// unsignedPayload is the payload hash of a request whose body is not signed:
// a streamed export, and a presigned GET.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// Exports keeps export documents in a private bucket and links to them with
// presigned GETs. It is safe for concurrent use.
type Exports struct {
	http        *http.Client
	bucket      *url.URL
	region      string
	credentials aws.CredentialsProvider
	signer      *v4.Signer
	now         func() time.Time
}

// NewExports returns the archive in the bucket at bucketURL (BucketURL),
// signing as credentials in region.
func NewExports(httpClient *http.Client, bucketURL, region string, credentials aws.CredentialsProvider) (*Exports, error) {
	bucket, signer, err := bucketAndSigner(bucketURL)
	if err != nil {
		return nil, err
	}
	return &Exports{http: httpClient, bucket: bucket, region: region, credentials: credentials, signer: signer, now: time.Now}, nil
}

func (e *Exports) objectURL(name string) url.URL {
	target := *e.bucket
	target.Path = e.bucket.Path + "/" + ExportPrefix + name + ".json"
	return target
}

// Create implements core.ExportArchive: the document is written to a
// temporary file (a Lambda's /tmp), so that its size is known and never held
// in memory, and PUT when it is closed.
func (e *Exports) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	file, err := os.CreateTemp("", "parley-export-*.json")
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	return &exportFile{File: file, ctx: ctx, exports: e, name: name}, nil
}

type exportFile struct {
	*os.File
	ctx     context.Context
	exports *Exports
	name    string
}

// Close uploads the file with one signed PUT and removes it.
func (f *exportFile) Close() error {
	defer os.Remove(f.File.Name())
	defer f.File.Close()
	size, err := f.File.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := f.File.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return f.exports.put(f.ctx, f.name, f.File, size)
}

func (e *Exports) put(ctx context.Context, name string, body io.Reader, size int64) error {
	target := e.objectURL(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target.String(), io.NopCloser(body))
	if err != nil {
		return fmt.Errorf("put export %s: %w", name, err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Content-Disposition", `attachment; filename="parley-export.json"`)
	req.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
	credentials, err := e.credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("put export %s: credentials: %w", name, err)
	}
	if err := e.signer.SignHTTP(ctx, credentials, req, unsignedPayload, "s3", e.region, e.now()); err != nil {
		return fmt.Errorf("put export %s: sign: %w", name, err)
	}
	res, err := e.http.Do(req)
	if err != nil {
		return fmt.Errorf("put export %s: %w", name, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("put export %s: status %d", name, res.StatusCode)
	}
	return nil
}

// Link implements core.ExportArchive with a presigned GET, which works
// without any token until expires (S3 allows at most seven days; exports
// ask for minutes).
func (e *Exports) Link(ctx context.Context, name string, expires time.Time) (string, error) {
	now := e.now()
	target := e.objectURL(name)
	query := target.Query()
	query.Set("X-Amz-Expires", strconv.Itoa(max(1, int(expires.Sub(now).Seconds()))))
	target.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return "", fmt.Errorf("link export %s: %w", name, err)
	}
	credentials, err := e.credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("link export %s: credentials: %w", name, err)
	}
	signed, _, err := e.signer.PresignHTTP(ctx, credentials, req, unsignedPayload, "s3", e.region, now)
	if err != nil {
		return "", fmt.Errorf("link export %s: sign: %w", name, err)
	}
	return signed, nil
}
