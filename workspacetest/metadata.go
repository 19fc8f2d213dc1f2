package workspacetest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// MetadataTokens says how the ECS metadata fake treats session tokens.
type MetadataTokens int

const (
	// MetadataTokensOptional (the default) hands out session tokens and
	// also answers reads without one, as most instances do.
	MetadataTokensOptional MetadataTokens = iota
	// MetadataTokensRequired answers reads without a valid session token
	// with 401, as a hardened instance does.
	MetadataTokensRequired
	// MetadataTokensUnsupported answers the token call with 404, as an
	// older metadata service does.
	MetadataTokensUnsupported
)

// maxMetadataTokenTTL is the longest session token the metadata fake
// hands out, in seconds (six hours).
const maxMetadataTokenTTL = 6 * 60 * 60

// DefaultMetadataCredentialsLifetime is how long the temporary keys of the
// metadata fake's securitykey are valid.
const DefaultMetadataCredentialsLifetime = time.Hour

// WithMetadataTokens sets how the ECS metadata fake treats session tokens.
func WithMetadataTokens(m MetadataTokens) Option {
	return Option{func(c *serverConfig) { c.ident.metadataTokens = m }}
}

// MetadataURL is the base URL of the ECS metadata fake, for
// config.WithMetadataEndpoint or credentials.MetadataConfig.Endpoint: the server
// serves the metadata paths beside the Workspace API's. Its securitykey
// hands out the server's AccessKey, SecretKey and SecurityToken (set one
// with WithSecurityToken, as an ECS agency's keys have one), its
// meta_data.json the server's ProjectID and Region.
func (s *Server) MetadataURL() string { return s.URL }

// metadataToken hands out a session token for the TTL asked for.
func (s *Server) metadataToken(w http.ResponseWriter, r *http.Request) {
	if s.id.metadataTokens == MetadataTokensUnsupported {
		http.NotFound(w, r)
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get("X-Metadata-Token-Ttl-Seconds"))
	if err != nil || ttl < 1 || ttl > maxMetadataTokenTTL {
		http.Error(w, fmt.Sprintf("X-Metadata-Token-Ttl-Seconds must be 1 to %d", maxMetadataTokenTTL), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	tok := "mdtoken-" + s.newIDLocked(idSessionToken)
	s.id.metadataSessions[tok] = s.now().Add(time.Duration(ttl) * time.Second)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = fmt.Fprint(w, tok)
}

// metadataAllowed checks the session token of a read: a token sent must
// be valid; none is needed unless tokens are required.
func (s *Server) metadataAllowed(w http.ResponseWriter, r *http.Request) bool {
	tok := r.Header.Get("X-Metadata-Token")
	if tok == "" && s.id.metadataTokens != MetadataTokensRequired {
		return true
	}
	s.mu.Lock()
	end, ok := s.id.metadataSessions[tok]
	ok = ok && s.now().Before(end)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "a valid X-Metadata-Token is required", http.StatusUnauthorized)
	}
	return ok
}

// metadataSecurityKey hands out the server's keys as an agency's
// temporary credentials.
func (s *Server) metadataSecurityKey(w http.ResponseWriter, r *http.Request) {
	if !s.metadataAllowed(w, r) {
		return
	}
	s.mu.Lock()
	exp := s.now().Add(DefaultMetadataCredentialsLifetime).UTC()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"credential": map[string]any{
		"access":        s.AccessKey,
		"secret":        s.SecretKey,
		"securitytoken": s.SecurityToken,
		"expires_at":    exp.Format("2006-01-02T15:04:05.000000Z"),
	}})
}

// metadataInfo answers meta_data.json with the server's project and
// region.
func (s *Server) metadataInfo(w http.ResponseWriter, r *http.Request) {
	if !s.metadataAllowed(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"uuid":              "6f6b8a1e-0f3c-4d1a-9c39-5f1f0c1d2e3f",
		"name":              "ecs-workspacetest",
		"hostname":          "ecs-workspacetest.novalocal",
		"availability_zone": s.Region + "a",
		"project_id":        s.ProjectID,
		"region_id":         s.Region,
		"launch_index":      0,
		"meta":              map[string]string{},
	})
}
