package workspace

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hwcloud-go/workspace/internal/signer"
)

// TokenSource supplies IAM tokens, sent as X-Auth-Token. The client asks
// for a token before each attempt and does not cache it: a source caches
// and refreshes as it sees fit, and must be safe for concurrent use.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenInvalidator is implemented by a TokenSource that can fetch a fresh
// token. When the API answers 401 to a token from such a source, the client
// calls Invalidate with that token and retries the call once with the next
// token the source hands out.
type TokenInvalidator interface {
	Invalidate(token string)
}

// StaticTokenSource returns a TokenSource that always hands out token.
func StaticTokenSource(token string) TokenSource {
	return staticToken{get: func() string { return token }}
}

// staticToken keeps its token in a closure, out of reach of fmt and of
// reflection-based dumpers (go-spew, testify's failure output).
type staticToken struct{ get func() string }

func (t staticToken) Token(context.Context) (string, error) { return t.get(), nil }

// String hides the token.
func (t staticToken) String() string { return "StaticTokenSource(REDACTED)" }

// GoString hides the token.
func (t staticToken) GoString() string { return t.String() }

// Credentials are an access key pair for AK/SK signing, with a security
// token when they are temporary. The secret key and the security token are
// Secret values, which no fmt verb, json.Marshal or slog prints: make them
// with NewSecret, read them with Reveal.
type Credentials struct {
	AccessKey     string    // the access key id (AK); shown by String
	SecretKey     Secret    // the secret access key (SK); never printed
	SecurityToken Secret    // only for temporary credentials; never printed
	Expires       time.Time // zero: does not expire
}

// String shows the access key only.
func (c Credentials) String() string {
	s := "Credentials{AccessKey: " + c.AccessKey + ", SecretKey: REDACTED"
	if !c.SecurityToken.IsZero() {
		s += ", SecurityToken: REDACTED"
	}
	if !c.Expires.IsZero() {
		s += ", Expires: " + c.Expires.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

// GoString shows the access key only.
func (c Credentials) GoString() string { return "workspace." + c.String() }

// CredentialsInvalidator is implemented by a CredentialsProvider that can
// fetch fresh credentials: when the API answers 401 to a request signed
// with them, the client calls InvalidateCredentials with their access key
// and retries the call once with what the provider gives next.
type CredentialsInvalidator interface {
	InvalidateCredentials(accessKey string)
}

// CredentialsProvider supplies AK/SK credentials for signing. The client
// asks before each attempt; a provider caches and refreshes, and must be
// safe for concurrent use.
type CredentialsProvider interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// staticCredentials keeps fixed credentials in a closure, out of reach of
// fmt and of reflection-based dumpers.
type staticCredentials struct{ get func() Credentials }

func newStaticCredentials(c Credentials) staticCredentials {
	return staticCredentials{get: func() Credentials { return c }}
}

func (c staticCredentials) Credentials(context.Context) (Credentials, error) {
	return c.get(), nil
}

// String hides the secrets.
func (c staticCredentials) String() string { return c.get().String() }

// GoString hides the secrets.
func (c staticCredentials) GoString() string { return c.get().GoString() }

// authenticator adds credentials to one attempt and, after a 401, says
// whether a fresh credential is to be had.
type authenticator interface {
	// authenticate adds credentials to ar's header. It returns the token
	// it used (for invalidate), or "". ar comes by value: behind a pointer
	// through this interface it would cost an allocation per attempt.
	authenticate(ctx context.Context, ar authRequest) (token string, err error)
	// invalidate is told that the API refused token (as authenticate
	// returned it). It reports whether the next authenticate will use a
	// fresh credential, so that the call is worth one more try.
	invalidate(token string) bool
	kind() string
}

// authenticator returns the authenticator of the credentials option given
// last; check has seen that there is one.
func (cfg *config) authenticator() authenticator {
	switch {
	case cfg.token != "":
		return tokenAuth{src: StaticTokenSource(cfg.token), header: new(atomic.Pointer[[]string])}
	case cfg.tokenSource != nil:
		return tokenAuth{src: cfg.tokenSource, header: new(atomic.Pointer[[]string])}
	case cfg.accessKey != "":
		return signingAuth{src: newStaticCredentials(Credentials{AccessKey: cfg.accessKey, SecretKey: NewSecret(cfg.secretKey), SecurityToken: NewSecret(cfg.securityToken)})}
	default:
		inv, _ := cfg.credsProvider.(CredentialsInvalidator)
		return signingAuth{src: cfg.credsProvider, inv: inv}
	}
}

// authRequest is what an authenticator sees of one attempt's request.
type authRequest struct {
	method    string
	host      string
	path      string // escaped, as sent
	query     url.Values
	body      []byte
	header    http.Header
	projectID string
	now       time.Time
}

type tokenAuth struct {
	src TokenSource
	// header is the X-Auth-Token value of the last token, shared by the
	// requests that send it (nobody modifies a header value the SDK set:
	// resty copies the header before sending), so that a token the source
	// hands out again costs no allocation.
	header *atomic.Pointer[[]string]
}

func (a tokenAuth) kind() string { return "token" }

func (a tokenAuth) authenticate(ctx context.Context, at authRequest) (string, error) {
	tok, err := a.src.Token(ctx)
	if err != nil {
		return "", &credentialsError{err: err}
	}
	if tok == "" {
		return "", &credentialsError{msg: "token source returned an empty token"}
	}
	if !validHeaderValue(tok) {
		return "", &credentialsError{msg: "the token source (WithTokenSource) returned a token with control characters such as CR, LF or NUL"}
	}
	v := a.header.Load()
	if v == nil || (*v)[0] != tok {
		v = &[]string{tok}
		a.header.Store(v)
	}
	at.header["X-Auth-Token"] = *v
	return tok, nil
}

// invalidate hands the refused token back to a source that can fetch a
// fresh one.
func (a tokenAuth) invalidate(token string) bool {
	inv, ok := a.src.(TokenInvalidator)
	if !ok || token == "" {
		return false
	}
	inv.Invalidate(token)
	return true
}

type signingAuth struct {
	src CredentialsProvider
	inv CredentialsInvalidator // src, where it can drop refused credentials; else nil
}

func (a signingAuth) kind() string { return "aksk" }

func (a signingAuth) authenticate(ctx context.Context, at authRequest) (string, error) {
	cred, err := a.src.Credentials(ctx)
	if err != nil {
		return "", &credentialsError{err: err}
	}
	sk, st := cred.SecretKey.Reveal(), cred.SecurityToken.Reveal()
	if cred.AccessKey == "" || sk == "" {
		return "", &credentialsError{msg: "credentials provider returned an empty access or secret key"}
	}
	if !validHeaderValue(cred.AccessKey) || !validHeaderValue(sk) || !validHeaderValue(st) {
		return "", &credentialsError{msg: "the credentials provider (WithCredentialsProvider) returned an access key, secret key or security token with control characters such as CR, LF or NUL"}
	}
	// The signed headers, sorted by name, in a list on the stack; the date
	// and the Authorization value built in one buffer and made one string;
	// the header values added share one slice. Two allocations in all,
	// where a map, Header.Set and signer.Sign took 32.
	var buf [320]byte
	b := at.now.UTC().AppendFormat(buf[:0], signer.DateFormat)
	dateLen := len(b)
	var hs [5]signer.Header
	n := 0
	if ct := at.header["Content-Type"]; len(ct) > 0 && ct[0] != "" {
		hs[n] = signer.Header{Name: "content-type", Value: ct[0]}
		n++
	}
	hs[n] = signer.Header{Name: "host", Value: at.host}
	hs[n+1] = signer.Header{Name: "x-project-id", Value: at.projectID}
	hs[n+2] = signer.Header{Name: "x-sdk-date", Value: string(b)}
	n += 3
	if st != "" {
		hs[n] = signer.Header{Name: "x-security-token", Value: st}
		n++
	}
	r := signer.Fixed{Method: at.method, Path: at.path, Query: at.query, Headers: hs[:n], Body: at.body}
	s := string(signer.AppendSignFixed(b, &r, cred.AccessKey, sk))
	vals := []string{s[:dateLen], at.projectID, s[dateLen:], st}
	at.header["X-Sdk-Date"] = vals[0:1:1]
	at.header["X-Project-Id"] = vals[1:2:2]
	at.header["Authorization"] = vals[2:3:3]
	if st != "" {
		at.header["X-Security-Token"] = vals[3:4:4]
	}
	if a.inv != nil {
		return cred.AccessKey, nil // for invalidate
	}
	return "", nil
}

// invalidate tells a provider that can drop credentials that the API
// refused those of accessKey: the call is tried once more with what the
// provider gives next. Fixed keys are not cured by asking again.
func (a signingAuth) invalidate(accessKey string) bool {
	if a.inv == nil || accessKey == "" {
		return false
	}
	a.inv.InvalidateCredentials(accessKey)
	return true
}

// credentialsError reports a failure to obtain credentials; the request was
// not sent.
type credentialsError struct {
	msg string
	err error
}

func (e *credentialsError) Error() string {
	if e.err != nil {
		return "workspace: getting credentials: " + e.err.Error()
	}
	return "workspace: getting credentials: " + e.msg
}

func (e *credentialsError) Unwrap() error { return e.err }
