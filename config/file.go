package config

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/credcall"
	"github.com/hwcloud-go/workspace/internal/envnames"
)

// maxCredentialsFile bounds what is read of a credentials file.
const maxCredentialsFile = 1 << 20

// credentialsSection is the section of the vendor's credentials file that
// holds project-scoped ("basic") credentials.
const credentialsSection = "basic"

// readCredentialsFile returns the keys of the [basic] section of the INI
// file at path. Every error is a *workspace.ConfigError; one for a file that does
// not exist matches os.ErrNotExist. No error repeats a value of the file.
// The reading of a pipe ends when ctx does.
func readCredentialsFile(ctx context.Context, path string) (map[string]string, error) {
	f, err := credcall.OpenFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named once, below
		}
		return nil, &workspace.ConfigError{Reason: "reading the credentials file " + path + ": " + err.Error(), Err: err}
	}
	defer f.Close()
	// A pipe whose writer says nothing would hold Load for the whole of
	// OpenFile's bound; a done ctx ends the read at once (a regular file
	// has no deadline, and is read whole).
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Now()) })
	defer stop()
	data, err := io.ReadAll(io.LimitReader(f, maxCredentialsFile+1))
	if err != nil {
		return nil, &workspace.ConfigError{Reason: "reading the credentials file " + path + ": " + err.Error(), Err: err}
	}
	if len(data) > maxCredentialsFile {
		return nil, fileInvalid(path, 0, fmt.Sprintf("is larger than %d bytes", maxCredentialsFile))
	}
	sections, err := parseINI(path, data)
	if err != nil {
		return nil, err
	}
	kv, ok := sections[credentialsSection]
	if !ok {
		return nil, fileInvalid(path, 0, "has no ["+credentialsSection+"] section")
	}
	return kv, nil
}

// parseINI reads a small, strict INI file: "[section]" headers and
// "key = value" lines, blank lines and comments starting with # or ;.
// A value ends at a # or ; preceded by white space (an inline comment);
// matching quotes around a value are removed. Keys are case-insensitive.
// A key outside a section, a line that is neither, a section or key given
// twice, and an empty key are errors.
func parseINI(path string, data []byte) (map[string]map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	sections := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxCredentialsFile)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			name, ok := strings.CutSuffix(line, "]")
			name = strings.ToLower(strings.TrimSpace(name[1:]))
			if !ok || name == "" || strings.ContainsAny(name, "[]") {
				return nil, fileInvalid(path, n, "is not a [section] header")
			}
			if _, dup := sections[name]; dup {
				return nil, fileInvalid(path, n, "repeats section ["+name+"]")
			}
			cur = map[string]string{}
			sections[name] = cur
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		switch {
		case !ok:
			return nil, fileInvalid(path, n, "is neither a [section] header nor a key = value line")
		case key == "" || strings.ContainsAny(key, " \t"):
			return nil, fileInvalid(path, n, "has no key name before =")
		case cur == nil:
			return nil, fileInvalid(path, n, "has a key before the first [section]")
		}
		if _, dup := cur[key]; dup {
			return nil, fileInvalid(path, n, "repeats key "+key)
		}
		cur[key] = iniValue(value)
	}
	if err := sc.Err(); err != nil {
		return nil, fileInvalid(path, 0, "cannot be read as lines: "+err.Error())
	}
	return sections, nil
}

// iniValue trims v, cuts an inline comment and removes matching quotes.
func iniValue(v string) string {
	v = strings.TrimSpace(v)
	for i := 1; i < len(v); i++ {
		if (v[i] == '#' || v[i] == ';') && (v[i-1] == ' ' || v[i-1] == '\t') {
			v = strings.TrimSpace(v[:i])
			break
		}
	}
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v
}

// fileInvalid is the *workspace.ConfigError of a malformed credentials file; line 0
// means the file as a whole.
func fileInvalid(path string, line int, reason string) *workspace.ConfigError {
	field := "credentials file " + path
	if line > 0 {
		field += fmt.Sprintf(" line %d", line)
	}
	ve := &workspace.ValidationError{Field: field, Reason: reason}
	return &workspace.ConfigError{Reason: strings.TrimPrefix(ve.Error(), "workspace: "), Err: ve}
}

// fileFound reads the credentials file, if there is one to read. note
// says what was tried, for the error of a configuration without
// credentials.
func (l *loader) fileFound(ctx context.Context) (f *found, note string, err error) {
	path, named := l.opts.file, l.opts.file != ""
	if !named {
		if v := l.env(envnames.CredentialsFile); v != "" {
			path, named = v, true
		}
	}
	if !named {
		dir := l.homeDir()
		if dir == "" {
			return nil, "the default credentials file (no home directory)", nil
		}
		path = filepath.Join(dir, ".huaweicloud", "credentials")
	}
	kv, err := readCredentialsFile(ctx, path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !named:
		return nil, "the credentials file " + path + " (not found)", nil
	default:
		return nil, "", err
	}
	key := func(k string) setting { return setting{value: strings.TrimSpace(kv[k]), from: k + " in " + path} }
	return &found{
		name:          "the credentials file " + path,
		projectID:     key("project_id"),
		iamEndpoint:   key("iam_endpoint"),
		ak:            key("ak"),
		sk:            key("sk"),
		securityToken: key("security_token"),
		idpID:         key("idp_id"),
		idTokenFile:   key("id_token_file"),
	}, "the credentials file " + path, nil
}

// homeDir is the user's home directory: from WithLookupEnv's environment
// where one was given, else the process's; "" when there is none.
func (l *loader) homeDir() string {
	if l.opts.customEnv {
		if runtime.GOOS == "windows" {
			return l.env("USERPROFILE")
		}
		return l.env("HOME")
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return dir
}
