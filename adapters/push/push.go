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
	target := *c.endpoint
	target.Path = c.endpoint.Path + "/@connections/" + conn.ID
	target.RawPath = c.endpoint.EscapedPath() + "/@connections/" + httpbinding.EscapePath(conn.ID, true)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(frame))
	if err != nil {
		return fmt.Errorf("push to %s: %w", conn.ID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	credentials, err := c.credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("push to %s: credentials: %w", conn.ID, err)
	}
	sum := sha256.Sum256(frame)
	if err := c.signer.SignHTTP(ctx, credentials, req, hex.EncodeToString(sum[:]), "execute-api", c.region, c.now()); err != nil {
		return fmt.Errorf("push to %s: sign: %w", conn.ID, err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("push to %s: %w", conn.ID, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	switch {
	case res.StatusCode == http.StatusGone:
		return fmt.Errorf("push to %s: %w", conn.ID, core.ErrConnectionGone)
	case res.StatusCode/100 != 2:
		return fmt.Errorf("push to %s: status %d", conn.ID, res.StatusCode)
	}
	return nil
}
