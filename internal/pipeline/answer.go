package pipeline

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// MaxErrorBody is how much of a non-2xx body is read at the most.
const MaxErrorBody = 1 << 20

// ErrorInfo is what an error body says, every text inert and bounded (see
// Clip) and every echoed secret replaced.
type ErrorInfo struct {
	Code                        string // error_code (Keystone: error.code)
	Message                     string // error_msg (Keystone: error.message or title); for a body that is not JSON, an excerpt of it
	Detail                      string // error_detail
	EncodedAuthorizationMessage string // encoded_authorization_message: kept whole (bounded by MaxErrorBody) for IAM's decoder, echoed secrets replaced; no error text prints it
	RequestID                   string // the X-Request-Id header, else request_id in the body
}

// ReadError reads the body of r's non-2xx answer resp (at most
// MaxErrorBody bytes), closes it, and says what it holds.
func ReadError(resp *http.Response, r *Request) ErrorInfo {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	DrainClose(resp.Body)
	secrets := r.secrets()
	// Before parsing, for an excerpt of a body that is not JSON; after,
	// before each text is cut, for a secret that JSON escaping hid from
	// the first pass.
	info := parseError([]byte(Redact(string(data), secrets)), secrets)
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		info.RequestID = Clip(Redact(id, secrets))
	}
	return info
}

// errorBody is the API's error object, and the Keystone form of IAM.
type errorBody struct {
	ErrorCode                   string `json:"error_code"`
	ErrorMsg                    string `json:"error_msg"`
	ErrorDetail                 string `json:"error_detail"`
	EncodedAuthorizationMessage string `json:"encoded_authorization_message"`
	RequestID                   string `json:"request_id"`
	Error                       *struct {
		Code    json.RawMessage `json:"code"`
		Title   string          `json:"title"`
		Message string          `json:"message"`
	} `json:"error"`
}

// ParseError says what an error body holds, tolerating any content: the
// API's JSON error object, IAM's Keystone object, or anything else (an
// HTML page from a gateway, say), of which Message keeps an excerpt.
func ParseError(data []byte) ErrorInfo { return parseError(data, nil) }

// parseError is ParseError with secrets replaced in each text before it
// is cut.
func parseError(data []byte, secrets []string) ErrorInfo {
	clip := func(s string) string { return Clip(Redact(s, secrets)) }
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return ErrorInfo{}
	}
	var eb errorBody
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil {
		info := ErrorInfo{
			Code: clip(eb.ErrorCode), Message: clip(eb.ErrorMsg), Detail: clip(eb.ErrorDetail),
			EncodedAuthorizationMessage: Redact(eb.EncodedAuthorizationMessage, secrets), RequestID: clip(eb.RequestID),
		}
		if info.Code == "" && info.Message == "" && eb.Error != nil {
			info.Code = clip(strings.Trim(string(eb.Error.Code), `"`))
			info.Message = clip(eb.Error.Message)
			if info.Message == "" {
				info.Message = clip(eb.Error.Title)
			}
		}
		return info
	}
	return ErrorInfo{Message: clip("unexpected error body: " + printable(trimmed))}
}

// printable folds a raw body to one line of text (a little more than
// Clip keeps).
func printable(b []byte) string {
	if len(b) > 4*MaxText {
		b = b[:4*MaxText]
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// DrainClose reads what is left of a body (a little) and closes it, so
// that the connection can be reused.
func DrainClose(rc io.ReadCloser) {
	if rc == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	rc.Close()
}

// Describe says in a few words what a body of the given content type that
// starts with data is, for an error about a body that did not decode:
// "an HTML page (text/html)", "an empty body", "a body of type text/plain".
func Describe(contentType string, data []byte) string {
	ct := strings.TrimSpace(contentType)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	ct = Clip(ct)
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return "an empty body"
	case ct == "text/html" || ct == "application/xhtml+xml" || looksHTML(trimmed):
		if ct == "" {
			return "an HTML page"
		}
		return "an HTML page (" + ct + ")"
	case ct == "":
		return "a body without a content type"
	}
	return "a body of type " + ct
}

func looksHTML(b []byte) bool {
	if len(b) > 64 {
		b = b[:64]
	}
	l := bytes.ToLower(b)
	return bytes.HasPrefix(l, []byte("<!doctype html")) || bytes.HasPrefix(l, []byte("<html"))
}
