package config

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/credentials"
	"github.com/hwcloud-go/workspace/internal/envnames"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileSecret is the secret key of the credentials files below; no error
// may show it.
const fileSecret = "file-sk-secret-0000"

// writeTempFile writes a file in a new temporary directory and returns
// its path.
func writeTempFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// closedPort is the URL of a loopback port nobody listens on: a metadata
// service that refuses at once.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// loadWith runs Load with env as the whole environment (HOME an empty
// temporary directory unless env sets it) and the metadata service at a
// closed loopback port, then opts.
func loadWith(t *testing.T, env map[string]string, opts ...LoadOption) (*Config, error) {
	t.Helper()
	m := map[string]string{"HOME": t.TempDir()}
	m["USERPROFILE"] = m["HOME"]
	for k, v := range env {
		m[k] = v
	}
	lookup := func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Load(ctx, append([]LoadOption{WithLookupEnv(lookup), WithMetadataEndpoint(closedPort(t))}, opts...)...)
}

// keys are the credentials a Config chose, for comparison.
type keys struct {
	ak, sk, securityToken, token string
	tokenSource, provider        bool
}

func keysOf(t *testing.T, c *Config) keys {
	t.Helper()
	require.NotNil(t, c.credentials(), "credentials chosen")
	s := c.credentials()
	return keys{ak: s.ak, sk: s.sk, securityToken: s.securityToken, token: s.token, tokenSource: s.tokenSource != nil, provider: s.provider != nil}
}

func TestParseINI(t *testing.T) {
	t.Parallel()
	good := "\xef\xbb\xbf# the vendor's file\n; another comment\n\n[Basic]\n AK = file-ak \nsk=\"" + fileSecret + "\"\n" +
		"project_id = 'proj' ; inline comment\niam_endpoint = iam.example.com # inline\nunknown_key = kept\n\n[global]\nak = other\n"
	sections, err := parseINI("f", []byte(good))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"ak": "file-ak", "sk": fileSecret, "project_id": "proj", "iam_endpoint": "iam.example.com", "unknown_key": "kept",
	}, sections["basic"])
	assert.Equal(t, map[string]string{"ak": "other"}, sections["global"])

	for _, tt := range []struct {
		name, content, want string
	}{
		{"key before any section", "sk = " + fileSecret + "\n[basic]\n", "line 1: has a key before the first [section]"},
		{"not key = value", "[basic]\n" + fileSecret + "\n", "line 2: is neither"},
		{"repeated key", "[basic]\nsk = a\nsk = " + fileSecret + "\n", "line 3: repeats key sk"},
		{"repeated section", "[basic]\n[basic]\n", "line 2: repeats section [basic]"},
		{"broken header", "[basic\nsk = " + fileSecret + "\n", "line 1: is not a [section] header"},
		{"empty header", "[ ]\n", "line 1: is not a [section] header"},
		{"no key name", "[basic]\n = " + fileSecret + "\n", "line 2: has no key name"},
		{"space in key name", "[basic]\nmy sk = " + fileSecret + "\n", "line 2: has no key name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseINI("/x/credentials", []byte(tt.content))
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			var ve *workspace.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, ve.Field, "/x/credentials")
			assert.NotContains(t, err.Error(), fileSecret)
		})
	}
}

func TestReadCredentialsFile(t *testing.T) {
	t.Parallel()
	_, err := readCredentialsFile(context.Background(), filepath.Join(t.TempDir(), "absent"))
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, os.ErrNotExist)

	_, err = readCredentialsFile(context.Background(), writeTempFile(t, "[global]\nak = x\n"))
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "has no [basic] section")

	_, err = readCredentialsFile(context.Background(), writeTempFile(t, "[basic]\nsk = "+strings.Repeat("x", maxCredentialsFile)+"\n"))
	require.ErrorAs(t, err, &ce)
	assert.ErrorContains(t, err, "larger than")
	assert.Less(t, len(err.Error()), 500)

	_, err = readCredentialsFile(context.Background(), t.TempDir()) // a directory
	require.ErrorAs(t, err, &ce)
}

// Credentials files as editors and tools leave them.
func TestCredentialsFileShapes(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"CRLF":                "[basic]\r\nak = file-ak\r\nsk = sk=with=equals\r\n",
		"BOM, no newline":     "\xef\xbb\xbf[basic]\nak=file-ak\nsk=sk=with=equals",
		"tabs, blank lines":   "\n\n\t[ basic ]\t\n\tak\t=\tfile-ak\t\n\n\tsk\t=\tsk=with=equals\t\n\n",
		"other section after": "[basic]\nak = file-ak\nsk = sk=with=equals\n[basic-2]\nak = x\n",
		"upper-case keys":     "[BASIC]\nAK = file-ak\nSK = sk=with=equals\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			kv, err := readCredentialsFile(context.Background(), writeTempFile(t, content))
			require.NoError(t, err)
			assert.Equal(t, "file-ak", kv["ak"])
			assert.Equal(t, "sk=with=equals", kv["sk"])
		})
	}
	t.Run("symlink", func(t *testing.T) {
		t.Parallel()
		target := writeTempFile(t, "[basic]\nak = file-ak\nsk = s\n")
		link := filepath.Join(t.TempDir(), "link")
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
		kv, err := readCredentialsFile(context.Background(), link)
		require.NoError(t, err)
		assert.Equal(t, "file-ak", kv["ak"])
	})
	t.Run("10 MB of one line", func(t *testing.T) {
		t.Parallel()
		_, err := readCredentialsFile(context.Background(), writeTempFile(t, "[basic]\nsk = "+strings.Repeat("s", 10<<20)))
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Less(t, len(err.Error()), 500)
	})
	t.Run("a line just under the bound", func(t *testing.T) {
		t.Parallel()
		_, err := readCredentialsFile(context.Background(), writeTempFile(t, "[basic]\nsk = "+strings.Repeat("s", maxCredentialsFile-20)))
		require.NoError(t, err)
	})
}

// The credentials file as Load reads it: which file, what it supplies,
// and its errors.
func TestLoadCredentialsFile(t *testing.T) {
	t.Parallel()
	tokenFile := writeTempFile(t, "id-token-secret")
	full := "[basic]\nak = file-ak\nsk = " + fileSecret + "\nsecurity_token = file-st-secret\nproject_id = file-project\n"
	region := WithRegion("ap-southeast-3")

	t.Run("AK/SK, security token and project id", func(t *testing.T) {
		t.Parallel()
		path := writeTempFile(t, full)
		cfg, err := loadWith(t, nil, region, WithCredentialsFile(path))
		require.NoError(t, err)
		assert.Equal(t, keys{ak: "file-ak", sk: fileSecret, securityToken: "file-st-secret"}, keysOf(t, cfg))
		assert.Equal(t, "file-project", cfg.ProjectID)
		assert.Contains(t, cfg.String(), "project id: file-project (project_id in "+path+")")
		assert.Contains(t, cfg.String(), "credentials: temporary AK/SK (ak in "+path+", sk in "+path+", security_token in "+path+")")
		out := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, *cfg)
		assert.NotContains(t, out, fileSecret)
		assert.NotContains(t, out, "file-st-secret")
	})
	t.Run("ID token wins over AK/SK", func(t *testing.T) {
		t.Parallel()
		path := writeTempFile(t, full+"idp_id = idp\nid_token_file = "+tokenFile+"\niam_endpoint = iam.example.com\n")
		cfg, err := loadWith(t, nil, region, WithCredentialsFile(path))
		require.NoError(t, err)
		assert.Equal(t, keys{tokenSource: true}, keysOf(t, cfg))
		assert.Equal(t, "file-project", cfg.ProjectID)
		assert.Equal(t, "https://iam.example.com", cfg.IAMEndpoint, "iam_endpoint without a scheme gets https://")
		ts, ok := cfg.credentials().tokenSource.(*credentials.IDTokenSource)
		require.True(t, ok, "%T", cfg.credentials().tokenSource)
		assert.Equal(t, "credentials.IDTokenSource{url: https://iam.example.com/v3.0/OS-AUTH/id-token/tokens, idp: idp, file: "+tokenFile+", project: file-project}", ts.String())
	})
	t.Run("named file missing", func(t *testing.T) {
		t.Parallel()
		_, err := loadWith(t, nil, WithCredentialsFile(filepath.Join(t.TempDir(), "nope")))
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("file named by HUAWEICLOUD_SDK_CREDENTIALS_FILE missing", func(t *testing.T) {
		t.Parallel()
		_, err := loadWith(t, map[string]string{envnames.CredentialsFile: filepath.Join(t.TempDir(), "nope")})
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("file named by HUAWEICLOUD_SDK_CREDENTIALS_FILE", func(t *testing.T) {
		t.Parallel()
		cfg, err := loadWith(t, map[string]string{envnames.CredentialsFile: writeTempFile(t, full)}, region)
		require.NoError(t, err)
		assert.Equal(t, "file-project", cfg.ProjectID)
	})
	t.Run("WithCredentialsFile over HUAWEICLOUD_SDK_CREDENTIALS_FILE", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{envnames.CredentialsFile: filepath.Join(t.TempDir(), "nope")}
		cfg, err := loadWith(t, env, region, WithCredentialsFile(writeTempFile(t, full)))
		require.NoError(t, err)
		assert.Equal(t, "file-project", cfg.ProjectID)
	})
	t.Run("default file missing is not an error", func(t *testing.T) {
		t.Parallel()
		home := t.TempDir()
		_, err := loadWith(t, map[string]string{"HOME": home, "USERPROFILE": home})
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Missing, "ak and sk in the credentials file")
		assert.Contains(t, ce.Reason, filepath.Join(home, ".huaweicloud", "credentials")+" (not found)")
		assert.NotErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("default file in the home directory", func(t *testing.T) {
		t.Parallel()
		home := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"), []byte(full), 0o600))
		cfg, err := loadWith(t, map[string]string{"HOME": home, "USERPROFILE": home}, region)
		require.NoError(t, err)
		assert.Equal(t, keys{ak: "file-ak", sk: fileSecret, securityToken: "file-st-secret"}, keysOf(t, cfg))
	})
	t.Run("not a source", func(t *testing.T) {
		t.Parallel()
		_, err := loadWith(t, map[string]string{envnames.CredentialsFile: writeTempFile(t, full)}, WithSources(SourceEnv))
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce, "the file is not read")
		assert.NotContains(t, ce.Missing, "ak and sk in the credentials file")
	})
	t.Run("incomplete keys", func(t *testing.T) {
		t.Parallel()
		for content, want := range map[string]string{
			"[basic]\nak = file-ak\n":                      "sk in ",
			"[basic]\nsk = " + fileSecret + "\n":           "ak in ",
			"[basic]\nidp_id = idp\n":                      "id_token_file in ",
			"[basic]\nid_token_file = " + tokenFile + "\n": "idp_id in ",
		} {
			path := writeTempFile(t, content+"project_id = p\n")
			_, err := loadWith(t, nil, region, WithCredentialsFile(path))
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce, content)
			require.Len(t, ce.Missing, 1)
			assert.Equal(t, want+path, ce.Missing[0])
			assert.NotContains(t, err.Error(), fileSecret)
		}
	})
	t.Run("malformed value names the key", func(t *testing.T) {
		t.Parallel()
		path := writeTempFile(t, full+"iam_endpoint = ftp://iam.example.com\n")
		_, err := loadWith(t, nil, region, WithCredentialsFile(path))
		var ve *workspace.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Contains(t, ve.Field, "iam_endpoint in "+path)
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
	})
	t.Run("malformed file", func(t *testing.T) {
		t.Parallel()
		path := writeTempFile(t, "[basic]\n"+fileSecret+"\n")
		_, err := loadWith(t, nil, WithCredentialsFile(path))
		var ve *workspace.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.NotContains(t, err.Error(), fileSecret)
	})
	t.Run("empty path", func(t *testing.T) {
		t.Parallel()
		_, err := loadWith(t, nil, WithCredentialsFile(" "))
		var ve *workspace.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "credentialsFile", ve.Field)
	})
}

// FuzzParseINI: the credentials file reader never panics; what it accepts
// has clean section and key names and one-line values, and its errors
// never repeat a value of the file.
func FuzzParseINI(f *testing.F) {
	f.Add("[basic]\nak = a\nsk = \"s\" # c\n")
	f.Add("\xef\xbb\xbf; c\n[Basic]\nAK=x\n[global]\nak = y\n")
	f.Add("[basic\nsk = secret-line\n")
	f.Fuzz(func(t *testing.T, data string) {
		sections, err := parseINI("f", []byte(data))
		if err != nil {
			// Values (and lines that are no header) may be secrets;
			// section names may be repeated.
			for _, line := range strings.Split(data, "\n") {
				l := strings.TrimSpace(line)
				if strings.HasPrefix(l, "[") {
					continue
				}
				if _, v, ok := strings.Cut(l, "="); ok {
					l = strings.TrimSpace(v)
				}
				if len(l) >= 12 && strings.Contains(err.Error(), l) {
					t.Fatalf("error %q repeats %q", err, l)
				}
			}
			return
		}
		for name, kv := range sections {
			if name == "" || name != strings.ToLower(name) {
				t.Fatalf("section name %q", name)
			}
			for k, v := range kv {
				if k == "" || k != strings.ToLower(k) || strings.ContainsAny(k, " \t\n") {
					t.Fatalf("key %q", k)
				}
				if strings.ContainsAny(v, "\n") {
					t.Fatalf("value %q spans lines", v)
				}
			}
		}
	})
}

// A credentials file that is a named pipe nobody writes
// (HUAWEICLOUD_SDK_CREDENTIALS_FILE=/some/fifo) must not hang Load
// forever: opening it blocked until a writer came.
func TestLoadCredentialsFileFIFONobodyWrites(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, fifo)

	done := make(chan error, 1)
	go func() {
		_, err := loadWith(t, map[string]string{envnames.CredentialsFile: fifo}, WithRegion("ap-southeast-3"))
		done <- err
	}()
	select {
	case err := <-done:
		var ce *workspace.ConfigError
		assert.ErrorAs(t, err, &ce)
	case <-time.After(5 * time.Second):
		t.Fatal("Load hangs on a credentials file that is a FIFO")
	}
}

// A pipe with a writer is still read: process substitution
// (HUAWEICLOUD_SDK_CREDENTIALS_FILE=<(vault read ...)) keeps working.
func TestCredentialsFileFromAPipeWriter(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/fd"); err != nil {
		t.Skip("no /dev/fd on this system")
	}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	go func() {
		defer w.Close()
		time.Sleep(20 * time.Millisecond)
		_, _ = w.WriteString("[basic]\nak = pipe-ak\nsk = pipe-sk\n")
	}()
	kv, err := readCredentialsFile(context.Background(), fmt.Sprintf("/dev/fd/%d", r.Fd()))
	require.NoError(t, err)
	assert.Equal(t, "pipe-ak", kv["ak"])
}

// A credentials file that is a pipe whose writer holds it open and says
// nothing is read only as long as Load's context lasts: Load returns at
// the context's end with its error, not at the pipe's own read bound.
func TestLoadCredentialsFilePipeStopsWithContext(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, fifo)
	// Opened for reading and writing (Linux does not block on that): a
	// writer that keeps the pipe open and writes nothing.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	noEnv := func(string) (string, bool) { return "", false }
	_, err = Load(ctx, WithLookupEnv(noEnv), WithCredentialsFile(fifo), WithSources(SourceFile))
	assert.Less(t, time.Since(start), time.Second, "Load waited for the pipe after its context ended")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var ce *workspace.ConfigError
	assert.ErrorAs(t, err, &ce)
}

// mkfifo makes a named pipe at path with the system's mkfifo, and skips
// the test where there is none (Windows): pipes and devices given as
// configuration files are a Unix matter.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	bin, err := exec.LookPath("mkfifo")
	if err != nil {
		t.Skip("no mkfifo on this system")
	}
	out, err := exec.Command(bin, "-m", "600", path).CombinedOutput()
	require.NoError(t, err, "mkfifo: %s", out)
}
