package ssm_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-chat/parley/adapters/ssm"
)

func TestParameter(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		switch {
		case r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter",
			!strings.Contains(r.Header.Get("Authorization"), "/eu-west-1/ssm/aws4_request"):
			w.WriteHeader(http.StatusBadRequest)
		case in["Name"] == "/parley/test/vapid/private-key" && in["WithDecryption"] == true:
			_, _ = w.Write([]byte(`{"Parameter":{"Name":"/parley/test/vapid/private-key","Type":"SecureString","Value":"secret"}}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ParameterNotFound"}`))
		}
	}))
	defer server.Close()
	client := ssm.New(server.Client(), "eu-west-1", credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), server.URL)

	value, err := client.Parameter(context.Background(), "/parley/test/vapid/private-key")
	require.NoError(t, err)
	assert.Equal(t, "secret", value)

	_, err = client.Parameter(context.Background(), "/parley/test/vapid/none")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ParameterNotFound")
}

func TestParameters(t *testing.T) {
	values := map[string]string{"/parley/test/vapid/public-key": "public", "/parley/test/vapid/private-key": "private"}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Name string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		value, ok := values[in.Name]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ParameterNotFound"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]string{"Name": in.Name, "Value": value}})
	}))
	defer server.Close()
	client := ssm.New(server.Client(), "eu-west-1", credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), server.URL)

	got, err := client.Parameters(context.Background(), "/parley/test/vapid/public-key", "/parley/test/vapid/private-key")
	require.NoError(t, err)
	assert.Equal(t, []string{"public", "private"}, got, "in the order asked")

	_, err = client.Parameters(context.Background(), "/parley/test/vapid/public-key", "/parley/test/vapid/none")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/parley/test/vapid/none")
	assert.Contains(t, err.Error(), "ParameterNotFound")
}
