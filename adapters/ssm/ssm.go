// Package ssm reads parameters of AWS Systems Manager Parameter Store: one
// GetParameter over adapters/awsjson (the SDK's SSM module is not one Parley
// depends on). SecureStrings are decrypted by SSM for a caller allowed to
// read them.
package ssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/parley-chat/parley/adapters/awsjson"
)

// Client reads parameters in one region. It is safe for concurrent use.
type Client struct {
	ssm *awsjson.Client
}

// New returns a client of SSM in region, signing as credentials; endpoint
// overrides https://ssm.<region>.amazonaws.com when not empty.
func New(httpClient *http.Client, region string, credentials aws.CredentialsProvider, endpoint string) *Client {
	return &Client{ssm: awsjson.New(httpClient, "ssm", region, endpoint, credentials)}
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
	answer, err := c.ssm.Call(ctx, "AmazonSSM.GetParameter", getParameterRequest{Name: name, WithDecryption: true})
	if err != nil {
		return "", fmt.Errorf("parameter %s: %w", name, err)
	}
	if !answer.OK() {
		// The body names the error type (ParameterNotFound, AccessDenied),
		// never the value.
		return "", fmt.Errorf("parameter %s: status %d: %s", name, answer.Status, answer.Body)
	}
	var out getParameterResponse
	if err := json.Unmarshal(answer.Body, &out); err != nil || out.Parameter.Value == "" {
		return "", fmt.Errorf("parameter %s: no value in the answer", name)
	}
	return out.Parameter.Value, nil
}

// Parameters returns the values of the parameters names, in their order:
// one GetParameter each, all at once.
func (c *Client) Parameters(ctx context.Context, names ...string) ([]string, error) {
	values := make([]string, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { values[i], errs[i] = c.Parameter(ctx, name) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return values, nil
}

// ColdStartTimeout bounds the reads of a function's parameters at cold start.
const ColdStartTimeout = 5 * time.Second

// ReadAtColdStart returns the values of the parameters names in region, in
// their order (Parameters), read under ColdStartTimeout: what a function
// reads once, at cold start, signing as credentials.
func ReadAtColdStart(ctx context.Context, region string, credentials aws.CredentialsProvider, names ...string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, ColdStartTimeout)
	defer cancel()
	return New(&http.Client{Timeout: ColdStartTimeout}, region, credentials, "").Parameters(ctx, names...)
}
