package otelworkspace

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hwcloud-go/workspace"
)

func TestHTTPMethod(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"GET": "GET", "POST": "POST", "PATCH": "PATCH", "get": "_OTHER", "PROPFIND": "_OTHER", "": "_OTHER"} {
		got, known := httpMethod(in)
		assert.Equal(t, want, got, in)
		assert.Equal(t, want != "_OTHER", known, in)
	}
}

func TestErrorType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		status int
		want   string
	}{
		{nil, 200, ""},
		{nil, 0, ""},
		{errors.New("x"), 503, "503"},
		{fmt.Errorf("after 3 attempts: %w", &workspace.APIError{StatusCode: 429}), 0, "429"},
		{fmt.Errorf("w: %w", context.DeadlineExceeded), 0, "timeout"},
		{fmt.Errorf("w: %w", context.Canceled), 0, "canceled"},
		{&workspace.DecodeError{StatusCode: 200, Err: errors.New("bad")}, 200, "decode_error"},
		{fmt.Errorf("w: %w", &net.DNSError{Err: "no such host", Name: "h"}), 0, "*net.DNSError"},
		{fmt.Errorf("w: %w", &net.OpError{Op: "dial", Err: errors.New("refused")}), 0, "*net.OpError"},
		{errors.New("something else"), 0, "_OTHER"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, errorType(tt.err, tt.status), "%v", tt.err)
	}
}

func TestServerAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		scheme, host, addr string
		port               int
	}{
		{"https", "workspace.ap-southeast-3.myhuaweicloud.com", "workspace.ap-southeast-3.myhuaweicloud.com", 443},
		{"http", "gw.internal", "gw.internal", 80},
		{"http", "127.0.0.1:8080", "127.0.0.1", 8080},
		{"https", "[::1]:8443", "::1", 8443},
	} {
		addr, port := serverAddr(workspace.CallInfo{Scheme: tt.scheme, Host: tt.host})
		assert.Equal(t, tt.addr, addr)
		assert.Equal(t, tt.port, port)
	}
}
