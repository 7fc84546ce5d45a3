// Package push delivers Parley's realtime events to API Gateway WebSocket
// connections: a POST to the stage's @connections endpoint, signed with
// Signature Version 4 over net/http (the SDK's management API module is not
// one Parley depends on). A 410 Gone means the connection no longer exists.
package push

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/parley-chat/parley/core"
)

var _ core.Pusher = (*Client)(nil)

// Encoder renders an event as the frame a viewer's connections receive.
type Encoder func(viewer string, e core.Event) ([]byte, error)

// Client posts events to the connections of one WebSocket API stage. It is
// safe for concurrent use.
type Client struct {
	http        *http.Client
	endpoint    *url.URL
	region      string
	credentials aws.CredentialsProvider
	signer      *v4.Signer
	encode      Encoder
	now         func() time.Time
}

// New returns a client for the stage at callbackURL
// (https://<api-id>.execute-api.<region>.amazonaws.com/<stage>), signing as
// credentials in region.
func New(httpClient *http.Client, callbackURL, region string, credentials aws.CredentialsProvider, encode Encoder) (*Client, error) {
	endpoint, err := url.Parse(strings.TrimSuffix(callbackURL, "/"))
	if err != nil || (endpoint.Scheme != "https" && endpoint.Scheme != "http") || endpoint.Host == "" {
		return nil, fmt.Errorf("push: callback URL %q is not an http(s) URL", callbackURL)
	}
	return &Client{http: httpClient, endpoint: endpoint, region: region, credentials: credentials, signer: v4.NewSigner(), encode: encode, now: time.Now}, nil
}

// Push implements core.Pusher with one signed POST to the connection.
func (c *Client) Push(ctx context.Context, conn core.Connection, e core.Event) error {
	frame, err := c.encode(conn.User, e)
	if err != nil {
		return err
	}
	status, err := c.call(ctx, http.MethodPost, conn.ID, frame)
	switch {
	case err != nil:
		return fmt.Errorf("push to %s: %w", conn.ID, err)
	case status == http.StatusGone:
		return fmt.Errorf("push to %s: %w", conn.ID, core.ErrConnectionGone)
	case status/100 != 2:
		return fmt.Errorf("push to %s: status %d", conn.ID, status)
	}
	return nil
}

// Disconnect implements core.Pusher with one signed DELETE of the
// connection; API Gateway then closes it (with close code 1000: it cannot
// choose another) and calls $disconnect. A connection already gone (410) is
// no error.
func (c *Client) Disconnect(ctx context.Context, connectionID string) error {
	status, err := c.call(ctx, http.MethodDelete, connectionID, nil)
	switch {
	case err != nil:
		return fmt.Errorf("disconnect %s: %w", connectionID, err)
	case status == http.StatusGone:
		return nil
	case status/100 != 2:
		return fmt.Errorf("disconnect %s: status %d", connectionID, status)
	}
	return nil
}

// call sends one request signed with Signature Version 4 to the connection
// with id and returns the status of its answer.
func (c *Client) call(ctx context.Context, method, id string, body []byte) (int, error) {
	target := *c.endpoint
	target.Path = c.endpoint.Path + "/@connections/" + id
	target.RawPath = c.endpoint.EscapedPath() + "/@connections/" + httpbinding.EscapePath(id, true)
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), reader)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	credentials, err := c.credentials.Retrieve(ctx)
	if err != nil {
		return 0, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, credentials, req, hex.EncodeToString(sum[:]), "execute-api", c.region, c.now()); err != nil {
		return 0, fmt.Errorf("sign: %w", err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	return res.StatusCode, nil
}
