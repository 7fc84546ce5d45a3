// Package localclient is the bench drivers' client of a running local
// server: people signed in through its development sign-in, and JSON calls.
package localclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/parley-chat/parley/cmd/parley/internal/devoidc"
)

// Client calls the local server at Base.
type Client struct {
	Base string
	HTTP *http.Client
}

// New returns a client of the local server at base.
func New(base string) *Client {
	return &Client{Base: base, HTTP: &http.Client{Timeout: 10 * time.Second}}
}

// SignIn signs email in through the server's development sign-in and returns
// the ID token.
func (c *Client) SignIn(ctx context.Context, email string) (string, error) {
	var config struct{ Authority, ClientID string }
	if err := c.Call(ctx, http.MethodGet, "/config.json", "", nil, &config); err != nil {
		return "", err
	}
	return devoidc.SignIn(ctx, c.HTTP, config.Authority, config.ClientID, c.Base+"/", email)
}

// Call sends body as JSON to path with token and decodes the answer into out
// (when not nil); a status of 300 or more is an error.
func (c *Client) Call(ctx context.Context, method, path, token string, body, out any) error {
	var payload bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&payload).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, &payload)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: status %d", method, path, res.StatusCode)
	}
	if out != nil {
		return json.NewDecoder(res.Body).Decode(out)
	}
	return nil
}

// SignInContacts signs a and b in and makes each a contact of the other, as
// two people who chat; it returns their ID tokens.
func (c *Client) SignInContacts(ctx context.Context, a, b string) (tokenA, tokenB string, err error) {
	if tokenA, err = c.SignIn(ctx, a); err != nil {
		return "", "", err
	}
	if tokenB, err = c.SignIn(ctx, b); err != nil {
		return "", "", err
	}
	for _, add := range []struct{ token, email string }{{tokenA, b}, {tokenB, a}} {
		if err := c.Call(ctx, http.MethodPost, "/add-contact", add.token, map[string]string{"email": add.email, "name": add.email}, nil); err != nil {
			return "", "", err
		}
	}
	return tokenA, tokenB, nil
}
