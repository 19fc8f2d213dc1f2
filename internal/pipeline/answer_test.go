package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encodeJSON encodes v as a server would, with or without HTML escaping.
func encodeJSON(t testing.TB, v any, html bool) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	require.NoError(t, enc.Encode(v))
	return b.String()
}

// trackingBody is a body that counts what was read of it and whether it
// was closed.
type trackingBody struct {
	r      io.Reader
	read   int
	closed bool
}

func (b *trackingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

func (b *trackingBody) Close() error { b.closed = true; return nil }

func errorAnswer(body string, header http.Header) (*http.Response, *trackingBody) {
	tb := &trackingBody{r: strings.NewReader(body)}
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: http.StatusBadRequest, Header: header, Body: tb}, tb
}

func assertInert(t *testing.T, s string) {
	t.Helper()
	assert.LessOrEqual(t, len(s), MaxText)
	assert.True(t, utf8.ValidString(s), "%q", s)
	for _, r := range s {
		assert.False(t, unicode.IsControl(r) || r == '\u2028' || r == '\u2029', "%q has %U", s, r)
	}
}

func TestReadErrorReplacesEchoedSecrets(t *testing.T) {
	t.Parallel()
	c := New(nil, KeepRedirects)
	for _, secret := range allSecrets {
		for _, html := range []bool{true, false} {
			t.Run(secret+map[bool]string{true: "/html escaped", false: "/plain"}[html], func(t *testing.T) {
				t.Parallel()
				r := secretRequest(c, http.MethodPost, "https://iam.example.com/v3/auth/tokens")
				defer r.Finish()
				body := encodeJSON(t, map[string]string{
					"error_code":   "CODE." + secret,
					"error_msg":    "bad credential " + secret + " (url form: " + strings.Join(echoes(secret)[3:], ", ") + ")",
					"error_detail": "you sent " + secret,
					"request_id":   "req-" + secret,
				}, html)
				resp, tb := errorAnswer(body, nil)
				info := ReadError(resp, r)
				assert.True(t, tb.closed)
				for _, f := range []string{info.Code, info.Message, info.Detail, info.RequestID} {
					for _, form := range echoes(secret) {
						assert.NotContains(t, f, form)
					}
					assert.Contains(t, f, "REDACTED")
					assertInert(t, f)
				}
				assert.True(t, strings.HasPrefix(info.Message, "bad credential REDACTED"), info.Message)
			})
		}
	}
}

// asciiJSON escapes every non-ASCII rune of a JSON text as \uXXXX, as
// encoders that keep their output ASCII do.
func asciiJSON(j string) string {
	var b strings.Builder
	for _, r := range j {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

// TestReadErrorReplacesSecretAtTheCut: an echo that only the decoded text
// shows is replaced whole even where the text is cut to MaxText.
func TestReadErrorReplacesSecretAtTheCut(t *testing.T) {
	t.Parallel()
	c := New(nil, KeepRedirects)
	for _, tc := range []struct {
		name   string
		secret string
		encode func(string) string
	}{
		{"plain JSON", `long"secret<with>json&escapes-` + strings.Repeat("x", 40), func(j string) string { return j }},
		{"ASCII JSON", "pässwörd-geheim-" + strings.Repeat("x", 40), asciiJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for pad := MaxText - 60; pad < MaxText; pad += 7 {
				r := secretRequest(c, http.MethodPost, "https://iam.example.com/v3/auth/tokens")
				r.Secrets = []string{tc.secret}
				body := tc.encode(encodeJSON(t, map[string]string{"error_msg": strings.Repeat("m", pad) + tc.secret}, false))
				resp, _ := errorAnswer(body, nil)
				info := ReadError(resp, r)
				r.Finish()
				assertInert(t, info.Message)
				for i := 0; i+8 <= len(tc.secret); i++ {
					if !assert.NotContains(t, info.Message, tc.secret[i:i+8], "pad %d", pad) {
						break
					}
				}
			}
		})
	}
}

func TestReadErrorKeystoneAndPagesAndHeaders(t *testing.T) {
	t.Parallel()
	c := New(nil, KeepRedirects)
	r := secretRequest(c, http.MethodPost, "https://iam.example.com/v3/auth/tokens")
	defer r.Finish()

	resp, _ := errorAnswer(`{"error":{"code":401,"title":"Unauthorized","message":"password `+jsonForm(bodySecret, true)+` is wrong"}}`, nil)
	info := ReadError(resp, r)
	assert.Equal(t, "401", info.Code)
	assert.Equal(t, "password REDACTED is wrong", info.Message)

	resp, _ = errorAnswer("<html><body>\n<h1>Bad token "+tokenSecret+"</h1>\n</body></html>", nil)
	info = ReadError(resp, r)
	assert.Equal(t, "unexpected error body: <html><body> <h1>Bad token REDACTED</h1> </body></html>", info.Message)

	resp, _ = errorAnswer(`{"error_code":"X","request_id":"from-body"}`, http.Header{"X-Request-Id": {"req\r\n" + tokenSecret}})
	info = ReadError(resp, r)
	assert.Equal(t, `req\r\nREDACTED`, info.RequestID, "the header wins, inert and redacted")

	resp, _ = errorAnswer(`{"error_code":"X","request_id":"from-body"}`, nil)
	assert.Equal(t, "from-body", ReadError(resp, r).RequestID)
}

func TestReadErrorReadsBoundedAndCloses(t *testing.T) {
	t.Parallel()
	c := New(nil, KeepRedirects)
	r := secretRequest(c, http.MethodGet, "https://api.example.com/v1/things")
	defer r.Finish()
	body := `{"error_msg":"` + strings.Repeat("a", 3*MaxErrorBody) + `"}`
	resp, tb := errorAnswer(body, nil)
	info := ReadError(resp, r)
	assert.True(t, tb.closed)
	assert.LessOrEqual(t, tb.read, MaxErrorBody+64<<10)
	assert.GreaterOrEqual(t, tb.read, MaxErrorBody)
	assert.True(t, strings.HasPrefix(info.Message, `unexpected error body: {"error_msg":"aaa`), "a body cut at the bound is not JSON")
	assertInert(t, info.Message)
}

func TestParseError(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxText)
	for _, tc := range []struct {
		name string
		body string
		want ErrorInfo
	}{
		{"API", `{"error_code":"WKS.0001","error_msg":"not found","error_detail":"d","encoded_authorization_message":"enc","request_id":"r1"}`,
			ErrorInfo{Code: "WKS.0001", Message: "not found", Detail: "d", EncodedAuthorizationMessage: "enc", RequestID: "r1"}},
		{"API with surrounding space", " \n\t{\"error_code\":\"A\",\"error_msg\":\"m\"}\r\n ", ErrorInfo{Code: "A", Message: "m"}},
		{"Keystone", `{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}`,
			ErrorInfo{Code: "401", Message: "The request you have made requires authentication."}},
		{"Keystone with a string code", `{"error":{"code":"403","title":"Forbidden","message":"no"}}`, ErrorInfo{Code: "403", Message: "no"}},
		{"Keystone without a message", `{"error":{"code":404,"title":"Not Found"}}`, ErrorInfo{Code: "404", Message: "Not Found"}},
		{"API wins over Keystone", `{"error_code":"A","error_msg":"api","error":{"code":500,"message":"ks"}}`, ErrorInfo{Code: "A", Message: "api"}},
		{"Keystone text made inert", "{\"error\":{\"code\":400,\"message\":\"bad\\r\\nX: 1\\u001b[2J\"}}", ErrorInfo{Code: "400", Message: `bad\r\nX: 1\x1b[2J`}},
		{"HTML", "<!DOCTYPE html>\n<html>\n  <head><title>502 Bad Gateway</title></head>\n</html>\n",
			ErrorInfo{Message: "unexpected error body: <!DOCTYPE html> <html> <head><title>502 Bad Gateway</title></head> </html>"}},
		{"empty", "", ErrorInfo{}},
		{"blank", " \r\n\t ", ErrorInfo{}},
		{"plain text", "Service Unavailable", ErrorInfo{Message: "unexpected error body: Service Unavailable"}},
		{"JSON of other types", `{"error_code":123}`, ErrorInfo{Message: `unexpected error body: {"error_code":123}`}},
		{"OAuth shape", `{"error":"invalid_grant"}`, ErrorInfo{Message: `unexpected error body: {"error":"invalid_grant"}`}},
		{"array", `[1,2]`, ErrorInfo{Message: `unexpected error body: [1,2]`}},
		{"invalid UTF-8", "bad \xff\xfe body \xc3", ErrorInfo{Message: "unexpected error body: bad  body "}},
		{"invalid UTF-8 in JSON", "{\"error_msg\":\"a\xffb\"}", ErrorInfo{Message: "a\ufffdb"}},
		{"long message", `{"error_msg":"` + long + `"}`, ErrorInfo{Message: Clip(long)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ParseError([]byte(tc.body))
			assert.Equal(t, tc.want, got)
			for _, f := range []string{got.Code, got.Message, got.Detail, got.RequestID} {
				assertInert(t, f)
			}
		})
	}
}

func TestParseErrorExcerptOfLongPageIsBounded(t *testing.T) {
	t.Parallel()
	page := "<html>" + strings.Repeat("<p>line\n\n\tof text</p>\r\n", 5000) + "</html>"
	info := ParseError([]byte(page))
	assertInert(t, info.Message)
	assert.True(t, strings.HasPrefix(info.Message, "unexpected error body: <html><p>line of text</p> <p>line"), info.Message)
	assert.True(t, strings.HasSuffix(info.Message, "…"))
}

func FuzzParseError(f *testing.F) {
	for _, seed := range []string{
		`{"error_code":"WKS.0001","error_msg":"not found","error_detail":"d","request_id":"r"}`,
		`{"error":{"code":401,"title":"Unauthorized","message":"m"}}`,
		`{"error":{"code":"x\u2028y","message":""}}`,
		"<html>\n<body>x</body></html>",
		"\xff\xfe\x00\x1b[31m",
		"",
		`{"error_msg":"` + strings.Repeat("\\u001b", 100) + `"}`,
		strings.Repeat("€", 400),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info := ParseError(data)
		for _, s := range []string{info.Code, info.Message, info.Detail, info.RequestID} {
			if len(s) > MaxText {
				t.Fatalf("%d bytes: %q", len(s), s)
			}
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
					t.Fatalf("%U in %q", r, s)
				}
			}
		}
		if len(bytes.TrimSpace(data)) == 0 && info != (ErrorInfo{}) {
			t.Fatalf("an empty body says %+v", info)
		}
	})
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ct, data, want string
	}{
		{"application/json", "", "an empty body"},
		{"text/html", " \r\n ", "an empty body"},
		{"text/html; charset=utf-8", "<p>hi</p>", "an HTML page (text/html)"},
		{" TEXT/HTML ", "x", "a body of type TEXT/HTML"},
		{"application/xhtml+xml", "<x/>", "an HTML page (application/xhtml+xml)"},
		{"", "<!DOCTYPE html><html></html>", "an HTML page"},
		{"", "\n  <HTML lang=en>", "an HTML page"},
		{"text/plain", "<!doctype HTML>", "an HTML page (text/plain)"},
		{"", "plain words", "a body without a content type"},
		{"", "<xml/>", "a body without a content type"},
		{"application/xml; charset=utf-8", "<a/>", "a body of type application/xml"},
		{"text/x\x1b[31m\r\nInjected: 1", "data", `a body of type text/x\x1b[31m\r\nInjected: 1`},
	} {
		assert.Equal(t, tc.want, Describe(tc.ct, []byte(tc.data)), "%q %q", tc.ct, tc.data)
	}
	long := Describe(strings.Repeat("a", 10*MaxText), []byte("x"))
	assert.LessOrEqual(t, len(long), len("a body of type ")+MaxText)
}

func TestDrainCloseReadsALittleAndCloses(t *testing.T) {
	t.Parallel()
	DrainClose(nil)
	tb := &trackingBody{r: strings.NewReader(strings.Repeat("z", 1<<20))}
	DrainClose(tb)
	assert.True(t, tb.closed)
	assert.Equal(t, 64<<10, tb.read)
}
