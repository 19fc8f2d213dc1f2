package workspacetest

import (
	"crypto/hmac"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace/internal/signer"
)

// MaxClockSkew is how far X-Sdk-Date may be from the server's clock.
const MaxClockSkew = 15 * time.Minute

func authKind(r *http.Request) string {
	switch {
	case strings.HasPrefix(r.Header.Get("Authorization"), signer.Algorithm+" "):
		return "aksk"
	case r.Header.Get("X-Auth-Token") != "":
		return "token"
	}
	return ""
}

func unauthorized(msg string) *apiError {
	return &apiError{http.StatusUnauthorized, ErrCodeUnauthorized, "Incorrect IAM authentication information: " + msg}
}

// checkAuth accepts a request signed with the server's AK/SK or carrying
// its token, as the API gateway does.
func (s *Server) checkAuth(r *http.Request, body []byte) *apiError {
	switch authKind(r) {
	case "aksk":
		return s.checkSignature(r, body)
	case "token":
		if !hmac.Equal([]byte(r.Header.Get("X-Auth-Token")), []byte(s.Token)) {
			return unauthorized("token is not valid")
		}
		return nil
	}
	if r.Header.Get("Authorization") != "" {
		return unauthorized("unsupported Authorization scheme")
	}
	return unauthorized("neither X-Auth-Token nor an SDK-HMAC-SHA256 signature")
}

// parseAuthorization splits "SDK-HMAC-SHA256 Access=AK,
// SignedHeaders=a;b, Signature=hex".
func parseAuthorization(v string) (access string, signed []string, sig string, ok bool) {
	rest, found := strings.CutPrefix(v, signer.Algorithm+" ")
	if !found {
		return "", nil, "", false
	}
	for _, part := range strings.Split(rest, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return "", nil, "", false
		}
		switch k {
		case "Access":
			access = val
		case "SignedHeaders":
			signed = strings.Split(val, ";")
		case "Signature":
			sig = val
		}
	}
	return access, signed, sig, access != "" && len(signed) > 0 && sig != ""
}

// checkSignature verifies an SDK-HMAC-SHA256 signature over the request as
// received: method, escaped path, query, the headers named in
// SignedHeaders (whichever the client chose, x-sdk-date among them) and the
// body. X-Project-Id (and X-Security-Token for temporary credentials) must
// be present and right, signed or not.
func (s *Server) checkSignature(r *http.Request, body []byte) *apiError {
	return s.verifySignature(r, body, true)
}

// verifySignature is checkSignature; withProject says whether the request
// must name the server's project in X-Project-Id (IAM's project lookup has
// no project yet).
func (s *Server) verifySignature(r *http.Request, body []byte, withProject bool) *apiError {
	access, signed, sig, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return unauthorized("malformed Authorization header")
	}
	if access != s.AccessKey {
		return unauthorized("unknown access key")
	}
	if !slices.IsSorted(signed) {
		return unauthorized("SignedHeaders must be sorted")
	}
	// As the gateway: the date must be signed (it is what makes a
	// signature expire); every other header counts only if the client
	// chose to sign it. The vendor's own SDK signs no host.
	if !slices.Contains(signed, "x-sdk-date") {
		return unauthorized("x-sdk-date must be signed")
	}
	date, err := time.Parse(signer.DateFormat, r.Header.Get("X-Sdk-Date"))
	if err != nil {
		return unauthorized("X-Sdk-Date is not a date such as 20060102T150405Z")
	}
	if skew := s.now().Sub(date); skew > MaxClockSkew || skew < -MaxClockSkew {
		return unauthorized("X-Sdk-Date is more than 15 minutes off the server's clock")
	}
	if withProject && r.Header.Get("X-Project-Id") != s.ProjectID {
		return unauthorized("X-Project-Id does not match the credentials")
	}
	if s.SecurityToken != "" && !hmac.Equal([]byte(r.Header.Get("X-Security-Token")), []byte(s.SecurityToken)) {
		return unauthorized("security token is not valid")
	}
	headers := make(map[string]string, len(signed))
	for _, name := range signed {
		if name == "host" {
			headers[name] = r.Host
		} else {
			headers[name] = strings.Join(r.Header.Values(name), ",")
		}
	}
	sr := signer.Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Headers: headers, Body: body}
	want := signer.Signature(&sr, signed, s.SecretKey)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return unauthorized("signature does not match")
	}
	return nil
}
