package workspace

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hsCaptureT collects testify's failure messages.
type hsCaptureT struct{ msgs []string }

func (c *hsCaptureT) Errorf(format string, args ...any) {
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

// hsPrintRoutes renders v every way a program or a test might print it.
func hsPrintRoutes(t *testing.T, v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-8s", "%o", "%t"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	if j, err := json.Marshal(v); err == nil {
		out["json"] = string(j)
	}
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("m", "v", v)
		out[name] = b.String()
	}
	ct := &hsCaptureT{}
	assert.Equal(ct, struct{ V any }{v}, struct{ V any }{nil})
	out["testify"] = strings.Join(ct.msgs, "\n")
	return out
}

// hsAssertHidden fails if any rendering shows a secret, as is or in hex.
// Routes named in skip are not checked.
func hsAssertHidden(t *testing.T, what string, v any, skip string, secrets ...string) {
	t.Helper()
	for route, s := range hsPrintRoutes(t, v) {
		if route == skip {
			continue
		}
		for _, secret := range secrets {
			for _, form := range []string{secret, hex.EncodeToString([]byte(secret)), strings.ToUpper(hex.EncodeToString([]byte(secret)))} {
				assert.NotContains(t, s, form, "%s printed with %s", what, route)
			}
		}
	}
}

// Issue 11, item 7: no route prints a secret: fmt's verbs, json.Marshal,
// slog, and reflection dumpers (testify's failure output).
func TestHostileSecretsUnprintable(t *testing.T) {
	t.Parallel()
	// Credentials and IAMConfig are the user's own value types, whose
	// exported fields reflection reads: every other route is covered.
	cred := Credentials{AccessKey: relAK, SecretKey: NewSecret(relSK), SecurityToken: NewSecret(relSecToken)}
	hsAssertHidden(t, "Credentials", cred, "testify", relSK, relSecToken)
	hsAssertHidden(t, "*Credentials", &cred, "testify", relSK, relSecToken)

	fake := newFakeIAM(t, newFakeClock())
	cfg := iamConfig(fake)
	hsAssertHidden(t, "IAMConfig", cfg, "testify", testPassword)
	hsAssertHidden(t, "*IAMConfig", &cfg, "testify", testPassword)

	src := newIAMSource(t, fake, nil)
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	hsAssertHidden(t, "IAMTokenSource", src, "", testPassword, tok)
	hsAssertHidden(t, "a struct holding an IAMTokenSource", struct{ Src *IAMTokenSource }{src}, "", testPassword, tok)

	meta := newFakeMetadata(t, newFakeClock())
	p := newMetadataProvider(t, meta, nil)
	mc, err := p.Credentials(context.Background())
	require.NoError(t, err)
	hsAssertHidden(t, "MetadataCredentialsProvider", p, "", mc.SecretKey.Reveal(), mc.SecurityToken.Reveal())
	hsAssertHidden(t, "a struct holding a MetadataCredentialsProvider", struct{ P *MetadataCredentialsProvider }{p}, "", mc.SecretKey.Reveal(), mc.SecurityToken.Reveal())

	ex := newFakeIDTokenExchange(t, newFakeClock())
	ids := idTokenSourceFor(t, ex, writeTempFile(t, idTokenSecret))
	idTok, err := ids.Token(context.Background())
	require.NoError(t, err)
	hsAssertHidden(t, "IDTokenSource", ids, "", idTokenSecret, idTok)
	hsAssertHidden(t, "a struct holding an IDTokenSource", struct{ S *IDTokenSource }{ids}, "", idTokenSecret, idTok)
}
