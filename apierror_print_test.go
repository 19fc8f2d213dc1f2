package workspace

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An APIError built by hand in a user's test prints without the empty
// method and path, and still matches the sentinels.
func TestAPIErrorBuiltInATest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *APIError
		want string
	}{
		{&APIError{StatusCode: 404}, "workspace: 404 Not Found"},
		{&APIError{StatusCode: 429, Code: "APIGW.0308"}, "workspace: 429 Too Many Requests: APIGW.0308"},
		{&APIError{StatusCode: 599}, "workspace: 599"},
		{&APIError{StatusCode: 409, Method: "POST"}, "workspace: POST: 409 Conflict"},
		{&APIError{StatusCode: 500, Method: "GET", Path: "/v2/p/x", RequestID: "r1"}, "workspace: GET /v2/p/x: 500 Internal Server Error (request id r1)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
	var err error = &APIError{StatusCode: 404}
	assert.True(t, errors.Is(err, ErrNotFound))
}
