// Package cognito deletes users from a Cognito user pool: one AdminDeleteUser
// call (the identity provider's JSON protocol over HTTPS, signed with
// Signature Version 4 over net/http, as adapters/push signs its posts, so no
// Lambda links the SDK's Cognito module for one call).
package cognito

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

	"github.com/parley-chat/parley/core"
)

var _ core.IdentityDirectory = (*Directory)(nil)

// Directory is one user pool, whose users' names are their email addresses
// (the pool Terraform declares). It is safe for concurrent use.
type Directory struct {
	http        *http.Client
	endpoint    string
	region      string
	poolID      string
	credentials aws.CredentialsProvider
	signer      *v4.Signer
	now         func() time.Time
}

// New returns the directory of the pool poolID in region, signing as
// credentials; endpoint overrides https://cognito-idp.<region>.amazonaws.com/
// when not empty (tests).
func New(httpClient *http.Client, region, poolID, endpoint string, credentials aws.CredentialsProvider) *Directory {
	if endpoint == "" {
		endpoint = "https://cognito-idp." + region + ".amazonaws.com/"
	}
	return &Directory{http: httpClient, endpoint: endpoint, region: region, poolID: poolID, credentials: credentials, signer: v4.NewSigner(), now: time.Now}
}

// DeleteUser implements core.IdentityDirectory with one AdminDeleteUser; a
// user that does not exist (UserNotFoundException) is deleted already.
func (d *Directory) DeleteUser(ctx context.Context, email string) error {
	body, err := json.Marshal(map[string]string{"UserPoolId": d.poolID, "Username": email})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminDeleteUser")
	credentials, err := d.credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("delete user: credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := d.signer.SignHTTP(ctx, credentials, req, hex.EncodeToString(sum[:]), "cognito-idp", d.region, d.now()); err != nil {
		return fmt.Errorf("delete user: sign: %w", err)
	}
	res, err := d.http.Do(req)
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if res.StatusCode == http.StatusOK {
		return nil
	}
	var failure struct {
		Type string `json:"__type"`
	}
	_ = json.Unmarshal(answer, &failure)
	if failure.Type == "UserNotFoundException" {
		return nil
	}
	return fmt.Errorf("delete user: status %d %s", res.StatusCode, failure.Type)
}
