// Package ssm reads parameters of AWS Systems Manager Parameter Store: one
// GetParameter over adapters/awsjson (the SDK's SSM module is not one Parley
// depends on). SecureStrings are decrypted by SSM for a caller allowed to
// read them.
package ssm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

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
