package cognito_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/cognito"
)

func TestDeleteUser(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		answer  string
		wantErr bool
	}{
		{"Deleted", http.StatusOK, `{}`, false},
		{"AlreadyGone", http.StatusBadRequest, `{"__type":"UserNotFoundException","message":"User does not exist."}`, false},
		{"ErrRefused", http.StatusBadRequest, `{"__type":"AccessDeniedException"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]string
			var target, authorization string
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				target, authorization = r.Header.Get("X-Amz-Target"), r.Header.Get("Authorization")
				_ = json.NewDecoder(r.Body).Decode(&got)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.answer))
			}))
			t.Cleanup(server.Close)
			d := cognito.New(server.Client(), "eu-central-1", "eu-central-1_pool", server.URL, credentials.NewStaticCredentialsProvider("key", "secret", ""))

			err := d.DeleteUser(context.Background(), "alice@example.com")
			if tc.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, "AWSCognitoIdentityProviderService.AdminDeleteUser", target)
			assert.Equal(t, map[string]string{"UserPoolId": "eu-central-1_pool", "Username": "alice@example.com"}, got)
			assert.True(t, strings.Contains(authorization, "/eu-central-1/cognito-idp/aws4_request"), authorization)
		})
	}
}
