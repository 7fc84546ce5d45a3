// Package ssm reads parameters of AWS Systems Manager Parameter Store: one
// GetParameter, signed with Signature Version 4 over net/http (the SDK's SSM
// module is not one Parley depends on, as adapters/push does for
// @connections). SecureStrings are decrypted by SSM for a caller allowed to
// read them.
package ssm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client reads parameters in one region. It is safe for concurrent use.
type Client struct {
	http        *http.Client
	endpoint    string
	region      string
	credentials aws.CredentialsProvider
	signer      *v4.Signer
}

// New returns a client of SSM in region, signing as credentials; endpoint
// overrides https://ssm.<region>.amazonaws.com when not empty.
func New(httpClient *http.Client, region string, credentials aws.CredentialsProvider, endpoint string) *Client {
	if endpoint == "" {
		endpoint = "https://ssm." + region + ".amazonaws.com"
	}
	return &Client{http: httpClient, endpoint: endpoint, region: region, credentials: credentials, signer: v4.NewSigner()}
}

type getParameterRequest struct {
	Name           string `json:"Name"`
	WithDecryption bool   `json:"WithDecryption"`
}

type getParameterResponse struct {
	Parameter struct {
		Value string `json:"Value"`
	} `json:"Parameter"`
}

// Parameter returns the value of the parameter name, decrypted.
func (c *Client) Parameter(ctx context.Context, name string) (string, error) {
	body, err := json.Marshal(getParameterRequest{Name: name, WithDecryption: true})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("parameter %s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	credentials, err := c.credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("parameter %s: credentials: %w", name, err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, credentials, req, hex.EncodeToString(sum[:]), "ssm", c.region, time.Now()); err != nil {
		return "", fmt.Errorf("parameter %s: sign: %w", name, err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("parameter %s: %w", name, err)
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("parameter %s: %w", name, err)
	}
	if res.StatusCode != http.StatusOK {
		// The body names the error type (ParameterNotFound, AccessDenied),
		// never the value.
		return "", fmt.Errorf("parameter %s: status %d: %s", name, res.StatusCode, answer)
	}
	var out getParameterResponse
	if err := json.Unmarshal(answer, &out); err != nil || out.Parameter.Value == "" {
		return "", fmt.Errorf("parameter %s: no value in the answer", name)
	}
	return out.Parameter.Value, nil
}
