package workspacetest

import (
	"crypto/hmac"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Defaults of the IAM fake; options and the Server's fields change them.
const (
	DefaultRegion     = "ap-southeast-3"
	DefaultUserName   = "fake-user"
	DefaultPassword   = "fake-password-for-workspacetest"
	DefaultDomainName = "fake-domain"
	DefaultIdPID      = "fake-oidc-provider"
	DefaultIDToken    = "fake-oidc-id-token-for-workspacetest"

	// DefaultTokenLifetime is how long the tokens the IAM fake issues
	// are valid.
	DefaultTokenLifetime = 24 * time.Hour
)

// The IAM and metadata operations the fake serves, for faults and for the
// request record. Their bodies are not recorded (Request.Body is nil):
// they carry passwords and ID tokens.
const (
	OpIAMPasswordToken    Operation = "KeystoneCreateUserTokenByPassword" // POST /v3/auth/tokens
	OpIAMIDToken          Operation = "CreateTokenWithIdToken"            // POST /v3.0/OS-AUTH/id-token/tokens
	OpIAMListProjects     Operation = "KeystoneListProjects"              // GET /v3/projects
	OpMetadataToken       Operation = "MetadataSessionToken"              // PUT /meta-data/latest/api/token
	OpMetadataSecurityKey Operation = "MetadataSecurityKey"               // GET /openstack/latest/securitykey
	OpMetadataInfo        Operation = "MetadataInfo"                      // GET /openstack/latest/meta_data.json
)

// identityConfig is what the options set for the IAM and metadata fakes.
type identityConfig struct {
	region         string
	tokenLife      time.Duration
	metadataTokens MetadataTokens
}

// identityState is the IAM and metadata fakes' state; Server.mu guards it.
type identityState struct {
	tokenLife        time.Duration
	projects         []Project
	metadataTokens   MetadataTokens
	metadataSessions map[string]time.Time // session token -> end of life
}

func newIdentityState(c identityConfig) identityState {
	return identityState{tokenLife: c.tokenLife, metadataTokens: c.metadataTokens, metadataSessions: map[string]time.Time{}}
}

// Project is a project IAM's fake knows besides the server's own.
type Project struct {
	ID, Name string // Name is the region, or region_subproject
}

// WithRegion sets the region of the fake (DefaultRegion otherwise): the
// name of its project at the IAM fake and the region_id of its ECS
// metadata.
func WithRegion(region string) Option {
	return Option{func(c *serverConfig) { c.ident.region = region }}
}

// WithTokenLifetime sets how long the tokens the IAM fake issues are
// valid (DefaultTokenLifetime otherwise).
func WithTokenLifetime(d time.Duration) Option {
	return Option{func(c *serverConfig) { c.ident.tokenLife = d }}
}

// AddProject makes the IAM fake's project lookup know p too, for tests of
// a region with several projects.
func (s *Server) AddProject(p Project) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.id.projects = append(s.id.projects, p)
}

// IAMURL is the base URL of the IAM fake, for config.WithIAMEndpoint,
// HUAWEICLOUD_SDK_IAM_ENDPOINT or credentials.IAMConfig.Endpoint: the server serves
// IAM's paths beside the Workspace API's.
func (s *Server) IAMURL() string { return s.URL }

// identityOp routes the IAM and metadata paths.
func identityOp(method, escapedPath string) Operation {
	switch {
	case method == http.MethodPost && escapedPath == "/v3/auth/tokens":
		return OpIAMPasswordToken
	case method == http.MethodPost && escapedPath == "/v3.0/OS-AUTH/id-token/tokens":
		return OpIAMIDToken
	case method == http.MethodGet && escapedPath == "/v3/projects":
		return OpIAMListProjects
	case method == http.MethodPut && escapedPath == "/meta-data/latest/api/token":
		return OpMetadataToken
	case method == http.MethodGet && escapedPath == "/openstack/latest/securitykey":
		return OpMetadataSecurityKey
	case method == http.MethodGet && escapedPath == "/openstack/latest/meta_data.json":
		return OpMetadataInfo
	}
	return OpUnknown
}

// isIdentityOp reports whether op is served by the IAM or metadata fake.
func isIdentityOp(op Operation) bool {
	switch op {
	case OpIAMPasswordToken, OpIAMIDToken, OpIAMListProjects, OpMetadataToken, OpMetadataSecurityKey, OpMetadataInfo:
		return true
	}
	return false
}

// keystoneError writes IAM's Keystone-style error body.
func keystoneError(w http.ResponseWriter, status int, msg string) {
	body := map[string]any{"error": map[string]any{"code": status, "title": http.StatusText(status), "message": msg}}
	writeJSON(w, status, body)
}

// handleIdentity answers an IAM or metadata request.
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request, op Operation, body []byte) {
	switch op {
	case OpIAMPasswordToken:
		s.passwordToken(w, body)
	case OpIAMIDToken:
		s.idToken(w, r, body)
	case OpIAMListProjects:
		s.listProjects(w, r, body)
	case OpMetadataToken:
		s.metadataToken(w, r)
	case OpMetadataSecurityKey:
		s.metadataSecurityKey(w, r)
	case OpMetadataInfo:
		s.metadataInfo(w, r)
	}
}

// issueToken answers a successful token request: the server's Token in
// X-Subject-Token, so that the Workspace fake accepts it.
func (s *Server) issueToken(w http.ResponseWriter, methods []string) {
	s.mu.Lock()
	exp := s.now().Add(s.id.tokenLife).UTC()
	token := s.Token
	s.mu.Unlock()
	w.Header().Set("X-Subject-Token", token)
	writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
		"expires_at": exp.Format("2006-01-02T15:04:05.000000Z"),
		"methods":    methods,
		"project":    map[string]any{"id": s.ProjectID, "name": s.Region},
	}})
}

// passwordToken checks a password login scoped to the server's project.
func (s *Server) passwordToken(w http.ResponseWriter, body []byte) {
	var req struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
						Domain   struct {
							Name string `json:"name"`
						} `json:"domain"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope struct {
				Project struct {
					ID string `json:"id"`
				} `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		keystoneError(w, http.StatusBadRequest, "the request body is not JSON")
		return
	}
	id := req.Auth.Identity
	u := id.Password.User
	switch {
	case len(id.Methods) != 1 || id.Methods[0] != "password":
		keystoneError(w, http.StatusBadRequest, `auth.identity.methods must be ["password"]`)
	case u.Name != s.UserName || u.Domain.Name != s.DomainName ||
		!hmac.Equal([]byte(u.Password), []byte(s.Password)):
		keystoneError(w, http.StatusUnauthorized, "The username or password is wrong.")
	case req.Auth.Scope.Project.ID != s.ProjectID:
		keystoneError(w, http.StatusBadRequest, "auth.scope.project.id is not a project of this user")
	default:
		s.issueToken(w, []string{"password"})
	}
}

// idToken checks an ID-token exchange scoped to the server's project.
func (s *Server) idToken(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Auth struct {
			IDToken struct {
				ID string `json:"id"`
			} `json:"id_token"`
			Scope struct {
				Project struct {
					ID string `json:"id"`
				} `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		keystoneError(w, http.StatusBadRequest, "the request body is not JSON")
		return
	}
	switch {
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		keystoneError(w, http.StatusBadRequest, "Content-Type must be application/json")
	case r.Header.Get("X-Idp-Id") != s.IdPID:
		keystoneError(w, http.StatusNotFound, "X-Idp-Id names no identity provider")
	case !hmac.Equal([]byte(req.Auth.IDToken.ID), []byte(s.IDToken)):
		keystoneError(w, http.StatusUnauthorized, "The ID token is not valid.")
	case req.Auth.Scope.Project.ID != s.ProjectID:
		keystoneError(w, http.StatusBadRequest, "auth.scope.project.id is not a project of this identity provider")
	default:
		s.issueToken(w, []string{"mapped"})
	}
}

// listProjects answers GET /v3/projects?name=..., signed with the
// server's AK/SK (no X-Project-Id: there is no project yet).
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, body []byte) {
	if e := s.verifySignature(r, body, false); e != nil {
		keystoneError(w, http.StatusUnauthorized, e.msg)
		return
	}
	name := r.URL.Query().Get("name")
	type project struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		DomainID string `json:"domain_id"`
		Enabled  bool   `json:"enabled"`
	}
	s.mu.Lock()
	all := append([]Project{{ID: s.ProjectID, Name: s.Region}}, s.id.projects...)
	s.mu.Unlock()
	out := []project{}
	for _, p := range all {
		if name == "" || p.Name == name {
			out = append(out, project{ID: p.ID, Name: p.Name, DomainID: "fake-domain-id", Enabled: true})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": out})
}
