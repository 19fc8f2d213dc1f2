package credcall

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Metadata session tokens, as hardened ECS instances require them.
const (
	// MetadataEndpoint is the ECS metadata service's address.
	MetadataEndpoint = "http://169.254.169.254"
	// MetadataSessionTTL is the lifetime asked for a metadata session
	// token (X-Metadata-Token-Ttl-Seconds) by default; the vendor's SDK
	// asks for the same six hours.
	MetadataSessionTTL = 6 * time.Hour

	metadataTokenPath = "/meta-data/latest/api/token"
	MetadataInfoPath  = "/openstack/latest/meta_data.json"
	// maxMetadataToken bounds a session token's size.
	maxMetadataToken = 4 << 10
)

// MetadataClient reads documents from the metadata service, with a
// session token when the service hands them out: it asks for one first
// (PUT /meta-data/latest/api/token) and sends it as X-Metadata-Token;
// where the token call is not served (404, 405: an older service) it
// reads without one. A token is kept for its lifetime, less a minute, and
// asked for again after a 401.
type MetadataClient struct {
	base string // origin + path prefix
	svc  Service
	ttl  time.Duration
	now  func() time.Time

	sem      chan struct{} // one token call at a time; a context can stop the wait
	token    string
	tokenEnd time.Time
	plain    bool // the token call is not served: read without a token
}

// NewMetadataClient returns a client of the metadata service at base
// (origin and path prefix) that asks for session tokens of ttl.
func NewMetadataClient(base string, svc Service, ttl time.Duration) *MetadataClient {
	return &MetadataClient{base: base, svc: svc, ttl: ttl, now: time.Now, sem: make(chan struct{}, 1)}
}

// String names the service only: never the session token.
func (m *MetadataClient) String() string {
	if m == nil {
		return "credcall.MetadataClient(nil)"
	}
	return "credcall.MetadataClient{base: " + pipeline.ShownURL(m.base) + "}"
}

// GoString is String: %#v must not show the session token either.
func (m *MetadataClient) GoString() string { return m.String() }

// Get reads path with a session token when the service gives one; decode
// is as for Service.Call.
func (m *MetadataClient) Get(ctx context.Context, path string, decode func(http.Header, io.Reader) error) error {
	tok, err := m.sessionToken(ctx, false)
	if err != nil {
		return err
	}
	err = m.read(ctx, path, tok, decode)
	var apiErr *workspace.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		return err
	}
	// The token expired early or the instance was hardened since: a new
	// token, and one more read. If that fails, the 401 is the answer.
	fresh, terr := m.sessionToken(ctx, true)
	if terr != nil || fresh == "" {
		return err
	}
	return m.read(ctx, path, fresh, decode)
}

// read makes one GET of path, with the session token if not "".
func (m *MetadataClient) read(ctx context.Context, path, token string, decode func(http.Header, io.Reader) error) error {
	r := &Request{Method: http.MethodGet, URL: m.base + path, Path: path}
	if token != "" {
		r.Header = http.Header{"X-Metadata-Token": {token}}
	}
	return m.svc.Call(ctx, r, decode)
}

// sessionToken returns the cached token, asking for a new one when there
// is none, it is due, or renew is set. "" means: read without a token.
func (m *MetadataClient) sessionToken(ctx context.Context, renew bool) (string, error) {
	select {
	case m.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-m.sem }()
	now := m.now()
	if !renew {
		if m.plain {
			return "", nil
		}
		if m.token != "" && now.Before(m.tokenEnd) {
			return m.token, nil
		}
	}
	r := &Request{
		Method: http.MethodPut, URL: m.base + metadataTokenPath, Path: metadataTokenPath,
		Header: http.Header{"X-Metadata-Token-Ttl-Seconds": {strconv.Itoa(int(m.ttl / time.Second))}},
	}
	var tok string
	err := m.svc.Call(ctx, r, func(_ http.Header, body io.Reader) error {
		data, err := io.ReadAll(io.LimitReader(body, maxMetadataToken+1))
		if err != nil {
			return err
		}
		tok = strings.TrimSpace(string(data))
		// A control character could not be sent back as a header: kept,
		// such a token would fail every read for its whole lifetime.
		if tok == "" || len(tok) > maxMetadataToken || strings.IndexFunc(tok, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) >= 0 {
			return errors.New("the answer is not a session token")
		}
		return nil
	})
	var apiErr *workspace.APIError
	switch {
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusMethodNotAllowed):
		m.plain, m.token = true, ""
		return "", nil
	case err != nil:
		return "", err
	}
	m.token, m.plain = tok, false
	m.tokenEnd = now.Add(m.ttl - min(time.Minute, m.ttl/2))
	return tok, nil
}

// InstanceInfo is what the configuration takes from meta_data.json.
type InstanceInfo struct {
	ProjectID string `json:"project_id"`
	RegionID  string `json:"region_id"`
}

// InstanceInfo reads the instance's project id and region.
func (m *MetadataClient) InstanceInfo(ctx context.Context) (info InstanceInfo, err error) {
	err = m.Get(ctx, MetadataInfoPath, func(_ http.Header, body io.Reader) error {
		return DecodeJSON(body, &info)
	})
	info.ProjectID, info.RegionID = strings.TrimSpace(info.ProjectID), strings.TrimSpace(info.RegionID)
	return info, err
}

// MetadataHTTPClient is hc, or by default a client that goes to the
// metadata service directly: the link-local address must not be sent to a
// proxy named by HTTP_PROXY, with the keys it answers.
func MetadataHTTPClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	t := pipeline.DefaultTransport()
	t.Proxy = nil
	return &http.Client{Transport: t}
}
