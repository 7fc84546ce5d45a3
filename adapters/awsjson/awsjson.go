// Package awsjson calls AWS services that speak the JSON 1.1 protocol (SSM,
// Cognito's identity provider): one POST signed with Signature Version 4
// over net/http, as adapters/push signs its posts, so that no Lambda links
// a service's SDK module for the one call it makes.
package awsjson

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

// maxAnswerBytes bounds how much of an answer is read.
const maxAnswerBytes = 64 << 10

// Client calls one service in one region. It is safe for concurrent use.
type Client struct {
	http        *http.Client
	service     string
	endpoint    string
	region      string
	credentials aws.CredentialsProvider
	signer      *v4.Signer
	now         func() time.Time
}

// New returns a client of service (its signing name, such as "ssm" or
// "cognito-idp") in region, signing as credentials; endpoint overrides
// https://<service>.<region>.amazonaws.com/ when not empty (tests).
func New(httpClient *http.Client, service, region, endpoint string, credentials aws.CredentialsProvider) *Client {
	if endpoint == "" {
		endpoint = "https://" + service + "." + region + ".amazonaws.com/"
	}
	return &Client{http: httpClient, service: service, endpoint: endpoint, region: region, credentials: credentials, signer: v4.NewSigner(), now: time.Now}
}

// Answer is what the service answered: its status, its body, and, when it
// refused, the error type the body names (__type, such as
// "UserNotFoundException" or "ParameterNotFound").
type Answer struct {
	Status    int
	Body      []byte
	ErrorType string
}

// OK says whether the service answered 200.
func (a Answer) OK() bool { return a.Status == http.StatusOK }

// Call posts in, as JSON, to the operation target (such as
// "AmazonSSM.GetParameter") and returns the answer; an error only when no
// answer came.
func (c *Client) Call(ctx context.Context, target string, in any) (Answer, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return Answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	credentials, err := c.credentials.Retrieve(ctx)
	if err != nil {
		return Answer{}, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, credentials, req, hex.EncodeToString(sum[:]), c.service, c.region, c.now()); err != nil {
		return Answer{}, fmt.Errorf("sign: %w", err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer res.Body.Close()
	answer := Answer{Status: res.StatusCode}
	if answer.Body, err = io.ReadAll(io.LimitReader(res.Body, maxAnswerBytes)); err != nil {
		return Answer{}, err
	}
	if !answer.OK() {
		var failure struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal(answer.Body, &failure)
		answer.ErrorType = failure.Type
	}
	return answer, nil
}
