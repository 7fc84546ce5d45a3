// Package cognito deletes users from a Cognito user pool: one AdminDeleteUser
// call over adapters/awsjson, so no Lambda links the SDK's Cognito module for
// one call.
package cognito

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/parley-chat/parley/adapters/awsjson"
	"github.com/parley-chat/parley/core"
)

var _ core.IdentityDirectory = (*Directory)(nil)

// Directory is one user pool, whose users' names are their email addresses
// (the pool Terraform declares). It is safe for concurrent use.
type Directory struct {
	cognito *awsjson.Client
	poolID  string
}

// New returns the directory of the pool poolID in region, signing as
// credentials; endpoint overrides https://cognito-idp.<region>.amazonaws.com/
// when not empty (tests).
func New(httpClient *http.Client, region, poolID, endpoint string, credentials aws.CredentialsProvider) *Directory {
	return &Directory{cognito: awsjson.New(httpClient, "cognito-idp", region, endpoint, credentials), poolID: poolID}
}

// DeleteUser implements core.IdentityDirectory with one AdminDeleteUser; a
// user that does not exist (UserNotFoundException) is deleted already.
func (d *Directory) DeleteUser(ctx context.Context, email string) error {
	answer, err := d.cognito.Call(ctx, "AWSCognitoIdentityProviderService.AdminDeleteUser", map[string]string{"UserPoolId": d.poolID, "Username": email})
	switch {
	case err != nil:
		return fmt.Errorf("delete user: %w", err)
	case answer.OK(), answer.ErrorType == "UserNotFoundException":
		return nil
	default:
		return fmt.Errorf("delete user: status %d %s", answer.Status, answer.ErrorType)
	}
}
