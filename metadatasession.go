package workspace

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Metadata session tokens, as hardened ECS instances require them.
const (
	// DefaultMetadataSessionTTL is the lifetime asked for a metadata
	// session token (X-Metadata-Token-Ttl-Seconds); the vendor's SDK asks
	// for the same six hours.
	DefaultMetadataSessionTTL = 6 * time.Hour

	metadataTokenPath = "/meta-data/latest/api/token"
	metadataInfoPath  = "/openstack/latest/meta_data.json"
	// maxMetadataToken bounds a session token's size.
	maxMetadataToken = 4 << 10
)

// metadataClient reads documents from the metadata service, with a
// session token when the service hands them out: it asks for one first
// (PUT /meta-data/latest/api/token) and sends it as X-Metadata-Token;
// where the token call is not served (404, 405: an older service) it
// reads without one. A token is kept for its lifetime, less a minute, and
// asked for again after a 401.
type metadataClient struct {
	base string // origin + path prefix
	svc  credService
	ttl  time.Duration
	now  func() time.Time

	sem      chan struct{} // one token call at a time; a context can stop the wait
	token    string
	tokenEnd time.Time
	plain    bool // the token call is not served: read without a token
}

func newMetadataClient(base string, svc credService, ttl time.Duration) *metadataClient {
	return &metadataClient{base: base, svc: svc, ttl: ttl, now: time.Now, sem: make(chan struct{}, 1)}
}

// get reads path with a session token when the service gives one; decode
// is as for credService.call.
func (m *metadataClient) get(ctx context.Context, path string, decode func(http.Header, io.Reader) error) error {
	tok, err := m.sessionToken(ctx, false)
	if err != nil {
		return err
	}
	err = m.read(ctx, path, tok, decode)
	var apiErr *APIError
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
func (m *metadataClient) read(ctx context.Context, path, token string, decode func(http.Header, io.Reader) error) error {
	r := &credRequest{method: http.MethodGet, url: m.base + path, path: path}
	if token != "" {
		r.header = http.Header{"X-Metadata-Token": {token}}
	}
	return m.svc.call(ctx, r, decode)
}

// sessionToken returns the cached token, asking for a new one when there
// is none, it is due, or renew is set. "" means: read without a token.
func (m *metadataClient) sessionToken(ctx context.Context, renew bool) (string, error) {
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
	r := &credRequest{
		method: http.MethodPut, url: m.base + metadataTokenPath, path: metadataTokenPath,
		header: http.Header{"X-Metadata-Token-Ttl-Seconds": {strconv.Itoa(int(m.ttl / time.Second))}},
	}
	var tok string
	err := m.svc.call(ctx, r, func(_ http.Header, body io.Reader) error {
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
	var apiErr *APIError
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

// instanceInfo is what WithDefaultConfig takes from meta_data.json.
type instanceInfo struct {
	ProjectID string `json:"project_id"`
	RegionID  string `json:"region_id"`
}

// instanceInfo reads the instance's project id and region.
func (m *metadataClient) instanceInfo(ctx context.Context) (info instanceInfo, err error) {
	err = m.get(ctx, metadataInfoPath, func(_ http.Header, body io.Reader) error {
		return decodeCredJSON(body, &info)
	})
	info.ProjectID, info.RegionID = strings.TrimSpace(info.ProjectID), strings.TrimSpace(info.RegionID)
	return info, err
}
