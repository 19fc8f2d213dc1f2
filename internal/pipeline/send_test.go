package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/testserver"
)

// The secrets a request of these tests carries, and the forms a server or
// a transport may echo them in.
const (
	tokenSecret    = "tok-secret-123"
	securitySecret = "sec/secret+456=="
	signature      = "0123abcdef-signature"
	metadataSecret = "meta secret<789>&"
	bodySecret     = `pa"ss\w<o>rd & ü`
	querySecret    = "q-secret-456"
)

func jsonForm(s string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	j := strings.TrimSuffix(b.String(), "\n")
	return j[1 : len(j)-1]
}

// echoes are the forms of s that a server or a transport may repeat.
func echoes(s string) []string {
	return []string{s, jsonForm(s, true), jsonForm(s, false), url.QueryEscape(s), url.PathEscape(s)}
}

// secretRequest prepares a request that carries every kind of secret.
func secretRequest(c *Client, method, rawURL string) *Request {
	r := new(Request)
	c.Prepare(r)
	h := r.Header()
	h["X-Auth-Token"] = []string{tokenSecret}
	h["X-Security-Token"] = []string{securitySecret}
	h["Authorization"] = []string{"SDK-HMAC-SHA256 Access=AKIDEXAMPLE, SignedHeaders=host;x-sdk-date, Signature=" + signature}
	h["X-Metadata-Token"] = []string{metadataSecret}
	r.Method, r.URL, r.Path = method, rawURL, "/v1/things"
	r.Secrets = []string{bodySecret}
	return r
}

var allSecrets = []string{tokenSecret, securitySecret, signature, metadataSecret, bodySecret}

func assertNoSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range allSecrets {
		for _, form := range echoes(s) {
			assert.NotContains(t, text, form)
		}
	}
}

func TestSendErrorTextHasNoSecretsNorQuery(t *testing.T) {
	t.Parallel()
	const rawURL = "https://api.example.com/v1/things?marker=" + querySecret + "&limit=10"
	for _, tc := range []struct {
		name string
		echo func(*http.Request) error
	}{
		{"credential headers", func(r *http.Request) error {
			var parts []string
			for _, name := range CredentialHeaders {
				parts = append(parts, name+"="+r.Header.Get(name))
			}
			return errors.New("refused: " + strings.Join(parts, "; "))
		}},
		{"header values in every form", func(r *http.Request) error {
			var parts []string
			for _, s := range []string{tokenSecret, securitySecret, signature, metadataSecret} {
				parts = append(parts, echoes(s)...)
			}
			return fmt.Errorf("bad token %q", strings.Join(parts, " | "))
		}},
		{"body secret in every form", func(*http.Request) error {
			return errors.New("bad password " + strings.Join(echoes(bodySecret), " | "))
		}},
		{"wrapped", func(*http.Request) error {
			return fmt.Errorf("proxy: %w", fmt.Errorf("upstream: %s", tokenSecret))
		}},
		{"URL", func(r *http.Request) error {
			return fmt.Errorf("cannot reach %s", r.URL)
		}},
		{"URL escaped", func(r *http.Request) error {
			return fmt.Errorf("cannot reach %q", url.QueryEscape(r.URL.String()))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) { return nil, tc.echo(r) })
			c := New(&http.Client{Transport: rt}, KeepRedirects)
			r := secretRequest(c, http.MethodPost, rawURL)
			defer r.Finish()
			r.Body = []byte(`{"password":"x"}`)
			r.Attempt.Write = true
			_, err := c.Send(context.Background(), r)
			se := asSendError(t, err)
			text := se.Error()
			assert.True(t, strings.HasPrefix(text, "workspace: POST /v1/things: "), text)
			assertNoSecret(t, text)
			assert.NotContains(t, text, querySecret)
			assert.NotContains(t, text, "marker=")
			assert.True(t, utf8.ValidString(text))
		})
	}
}

func TestSendErrorOfHTTPClientNamesNoURL(t *testing.T) {
	t.Parallel()
	// The redirect policy's error comes wrapped in a *url.Error that names
	// the URL, query included.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/next?marker="+querySecret, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	policy := errors.New("policy: no redirects today")
	c := New(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return policy }}, KeepRedirects)
	r := secretRequest(c, http.MethodGet, srv.URL+"/v1/things?marker="+querySecret)
	defer r.Finish()
	_, err := c.Send(testCtx(t, 10*time.Second), r)
	se := asSendError(t, err)
	assert.ErrorIs(t, err, policy)
	assert.True(t, se.Sent, "the HTTP client's own failure: the request went out")
	assert.NotContains(t, se.Error(), querySecret)
	assert.NotContains(t, se.Error(), srv.URL)
	assertNoSecret(t, se.Error())
}

func TestSendErrorTextIsInertAndBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("line\r\nX-Injected: 1\x1b[31m\u2028", 200) + "\xff\xfe"
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New(long) })
	c := New(&http.Client{Transport: rt}, KeepRedirects)
	_, _, err := send(t, context.Background(), c, http.MethodGet, "https://api.example.com/v1/things", nil, false, nil)
	se := asSendError(t, err)
	text := se.Error()
	prefix := "workspace: GET /v1/things: "
	require.True(t, strings.HasPrefix(text, prefix), text)
	assert.LessOrEqual(t, len(text)-len(prefix), MaxText)
	assert.True(t, utf8.ValidString(text))
	assert.NotContains(t, text, "\r")
	assert.NotContains(t, text, "\n")
	assert.NotContains(t, text, "\x1b")
	assert.NotContains(t, text, "\u2028")
	assert.True(t, strings.HasSuffix(text, "…"), text)
	assert.Equal(t, long, se.Err.Error(), "the transport's error is kept as it is")
}

func TestSendErrorZeroValueText(t *testing.T) {
	t.Parallel()
	e := &SendError{Method: "GET", Path: "/x", Err: errors.New("a\nb")}
	assert.Equal(t, `workspace: GET /x: a\nb`, e.Error())
	inner := errors.New("inner")
	assert.ErrorIs(t, &SendError{Err: inner}, inner)
}

func TestCutErrorSaysTheBodyWasCut(t *testing.T) {
	t.Parallel()
	c := New(nil, KeepRedirects)
	r := secretRequest(c, http.MethodGet, "https://api.example.com/v1/things")
	defer r.Finish()
	se := r.CutError(fmt.Errorf("unexpected EOF after %s", tokenSecret))
	assert.True(t, se.Sent)
	assert.True(t, se.BodyCut)
	assert.Equal(t, http.MethodGet, se.Method)
	assert.Equal(t, "/v1/things", se.Path)
	assert.Equal(t, "workspace: GET /v1/things: the answer's body was cut off: unexpected EOF after REDACTED", se.Error())
}

func TestSendReadAndWriteBodyReadableUntilFinish(t *testing.T) {
	t.Parallel()
	for _, write := range []bool{false, true} {
		t.Run(map[bool]string{false: "read", true: "write"}[write], func(t *testing.T) {
			t.Parallel()
			more := make(chan struct{})
			never := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, "part1")
				w.(http.Flusher).Flush()
				if r.URL.Path == "/hold" {
					<-never
					return
				}
				select {
				case <-more:
				case <-time.After(5 * time.Second):
				}
				_, _ = io.WriteString(w, "part2")
			}))
			t.Cleanup(func() { close(never); srv.CloseClientConnections(); srv.Close() })
			c := New(&http.Client{Transport: plainTransport()}, KeepRedirects)

			// Send returns with the answer's head; the body keeps coming.
			r, resp, err := send(t, context.Background(), c, http.MethodPost, srv.URL+"/v1/things", []byte(`{}`), write, nil)
			require.NoError(t, err)
			buf := make([]byte, 5)
			_, err = io.ReadFull(resp.Body, buf)
			require.NoError(t, err)
			assert.Equal(t, "part1", string(buf))
			close(more)
			rest, err := io.ReadAll(resp.Body)
			assert.NoError(t, err)
			assert.Equal(t, "part2", string(rest))
			resp.Body.Close()
			r.Finish()

			// Finish ends a body still being read.
			r, resp, err = send(t, context.Background(), c, http.MethodPost, srv.URL+"/hold", []byte(`{}`), write, nil)
			require.NoError(t, err)
			_, err = io.ReadFull(resp.Body, buf)
			require.NoError(t, err)
			r.Finish()
			done := make(chan error, 1)
			go func() {
				_, err := io.ReadAll(resp.Body)
				done <- err
			}()
			select {
			case err := <-done:
				assert.ErrorIs(t, err, context.Canceled)
			case <-time.After(5 * time.Second):
				t.Fatal("Finish did not end the body's read")
			}
			resp.Body.Close()
		})
	}
}

func TestSendSwitchingProtocolsAnswerHasNoBody(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply {
		return testserver.H1Reply{Raw: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: nothing\r\nConnection: Upgrade\r\n\r\n"}
	})
	c := New(&http.Client{Transport: plainTransport()}, KeepRedirects)
	_, resp, err := send(t, testCtx(t, 10*time.Second), c, http.MethodGet, srv.URL+"/v1/things", nil, false, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	done := make(chan []byte, 1)
	go func() {
		data, _ := io.ReadAll(resp.Body)
		done <- data
	}()
	select {
	case data := <-done:
		assert.Empty(t, data)
	case <-time.After(5 * time.Second):
		t.Fatal("the body of a 101 is the connection")
	}
}

func TestSendSendsHeaderAndBodyAsGiven(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: okAnswer} })
	c := New(&http.Client{Transport: plainTransport()}, KeepRedirects)
	r := new(Request)
	c.Prepare(r)
	defer r.Finish()
	h := r.Header()
	h["X-Auth-Token"] = []string{tokenSecret}
	h["User-Agent"] = []string{"sdk-test/1"}
	h["Accept"] = []string{"application/json"}
	h["Content-Type"] = []string{"application/json"}
	body := []byte(`{"name":"x","n":1}`)
	r.Method, r.URL, r.Path, r.Body = http.MethodPut, srv.URL+"/v1/things/1?x=1", "/v1/things/1", body
	r.Attempt.Write = true
	resp, err := c.Send(testCtx(t, 10*time.Second), r)
	require.NoError(t, err)
	assert.Equal(t, "ok", readAll(t, resp))
	got := srv.Arrivals()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPut, got[0].Method)
	assert.Equal(t, "/v1/things/1?x=1", got[0].Path)
	assert.Equal(t, string(body), string(got[0].Body))
	var names []string
	for k := range got[0].Header {
		names = append(names, k)
	}
	assert.ElementsMatch(t, []string{"X-Auth-Token", "User-Agent", "Accept", "Content-Type", "Content-Length", "Accept-Encoding"}, names)
	assert.Equal(t, tokenSecret, got[0].Header.Get("X-Auth-Token"))
	assert.Equal(t, "sdk-test/1", got[0].Header.Get("User-Agent"))
}

func TestPrepareMakesRequestNew(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: okAnswer} })
	c := New(&http.Client{Transport: plainTransport()}, KeepRedirects)
	var r Request
	c.Prepare(&r)
	r.Header()["X-Auth-Token"] = []string{tokenSecret}
	r.Method, r.URL, r.Path, r.Body, r.Secrets = http.MethodPost, srv.URL+"/a", "/a", []byte("{}"), []string{"s3cret"}
	r.Attempt.Write, r.Attempt.Resender = true, &countingResender{}
	resp, err := c.Send(testCtx(t, 10*time.Second), &r)
	require.NoError(t, err)
	readAll(t, resp)
	r.Finish()

	c.Prepare(&r)
	assert.Empty(t, r.Method)
	assert.Empty(t, r.URL)
	assert.Empty(t, r.Path)
	assert.Nil(t, r.Body)
	assert.Nil(t, r.Secrets)
	assert.Empty(t, r.Header())
	assert.False(t, r.Attempt.Write)
	assert.Nil(t, r.Attempt.Resender)
	assert.Equal(t, 0, r.Attempt.Resends())

	// And it sends again, as a read this time.
	r.Method, r.URL, r.Path = http.MethodGet, srv.URL+"/b", "/b"
	resp, err = c.Send(testCtx(t, 10*time.Second), &r)
	require.NoError(t, err)
	readAll(t, resp)
	r.Finish()
	got := srv.Arrivals()
	require.Len(t, got, 2)
	assert.Equal(t, "/b", got[1].Path)
	assert.Empty(t, got[1].Header.Get("X-Auth-Token"), "the header of the earlier attempt is gone")
}

func TestSendEndedContextSendsNothing(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: okAnswer} })
	c := New(&http.Client{Transport: plainTransport()}, KeepRedirects)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, write := range []bool{true, false} {
		_, _, err := send(t, ctx, c, http.MethodPost, srv.URL+"/v1/things", []byte(`{}`), write, nil)
		se := asSendError(t, err)
		assert.False(t, se.Sent)
		assert.ErrorIs(t, err, context.Canceled)
	}
	assert.Empty(t, srv.Arrivals())
}
