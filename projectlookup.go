package workspace

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hwcloud-go/workspace/internal/signer"
)

// projectsPath is IAM's list of projects; ?name={region} selects the
// region's project.
const projectsPath = "/v3/projects"

// projectLookup finds the project id of a region at IAM on the first call
// that needs it and keeps it. One lookup runs at a time: goroutines that
// arrive meanwhile wait (each as long as its own context allows) and then
// use its answer, a failure included, unless the lookup ended only because
// its caller's context did. A failed lookup is not kept: a call that
// arrives later tries again.
type projectLookup struct {
	origin string // IAM's scheme://host
	path   string // escaped: IAM's path prefix + projectsPath
	region string
	creds  CredentialsProvider
	svc    credService
	now    func() time.Time

	sem     chan struct{} // held by the lookup in flight
	mu      sync.Mutex
	id      string
	done    uint64 // lookups finished
	lastErr error  // of the last lookup, unless its caller's context ended it
}

func newProjectLookup(iamBase, region string, creds CredentialsProvider, svc credService) *projectLookup {
	u, _ := url.Parse(iamBase) // checked by checkIAMEndpoint
	return &projectLookup{
		origin: u.Scheme + "://" + u.Host,
		path:   strings.TrimRight(u.EscapedPath(), "/") + projectsPath,
		region: region,
		creds:  creds,
		svc:    svc,
		now:    time.Now,
		sem:    make(chan struct{}, 1),
	}
}

// projectID returns the region's project id, looking it up within ctx if
// it is not known yet.
func (p *projectLookup) projectID(ctx context.Context) (string, error) {
	p.mu.Lock()
	id, seen := p.id, p.done
	p.mu.Unlock()
	if id != "" {
		return id, nil
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-p.sem }()
	p.mu.Lock()
	id, done, lastErr := p.id, p.done, p.lastErr
	p.mu.Unlock()
	switch {
	case id != "":
		return id, nil // found by the lookup this goroutine waited for
	case done != seen && lastErr != nil:
		// The lookup this goroutine waited for failed: IAM is not
		// asked again for each waiter (signed requests that IAM
		// refuses may lock the keys out).
		return "", lastErr
	}
	id, err := p.lookup(ctx)
	p.mu.Lock()
	p.done++
	p.lastErr = err
	if err != nil && ctx.Err() != nil {
		p.lastErr = nil // this caller's context ended it: a waiter tries itself
	}
	if err == nil {
		p.id = id
	}
	p.mu.Unlock()
	return id, err
}

// lookup asks IAM, signing with the client's AK/SK credentials.
func (p *projectLookup) lookup(ctx context.Context) (string, error) {
	cred, err := p.creds.Credentials(ctx)
	if err != nil {
		return "", &credentialsError{err: err}
	}
	sk, st := cred.SecretKey.Reveal(), cred.SecurityToken.Reveal()
	if cred.AccessKey == "" || sk == "" {
		return "", &credentialsError{msg: "credentials provider returned an empty access or secret key"}
	}
	query := url.Values{"name": {p.region}}
	u, _ := url.Parse(p.origin)
	date := signer.FormatDate(p.now())
	// Signed as every API call is (signer.Fixed: names lowercase, sorted),
	// so that the generic signer is linked only where the fake verifies.
	signed := []signer.Header{{Name: "host", Value: u.Host}, {Name: "x-sdk-date", Value: date}}
	header := http.Header{"X-Sdk-Date": {date}}
	if st != "" {
		header.Set("X-Security-Token", st)
		signed = append(signed, signer.Header{Name: "x-security-token", Value: st})
	}
	sr := signer.Fixed{Method: http.MethodGet, Path: p.path, Query: query, Headers: signed}
	header.Set("Authorization", signer.SignFixed(&sr, cred.AccessKey, sk))
	r := &credRequest{method: http.MethodGet, url: p.origin + p.path + "?" + encodeQuery(query), path: projectsPath, header: header}
	var out struct {
		Projects []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"projects"`
	}
	if err := p.svc.call(ctx, r, func(_ http.Header, body io.Reader) error { return decodeCredJSON(body, &out) }); err != nil {
		return "", err
	}
	var found []string
	for _, pr := range out.Projects {
		// IAM matches the name exactly; a fake or proxy that does not
		// filter must not make the client pick another region's project.
		if pr.Name == p.region && strings.TrimSpace(pr.ID) != "" {
			found = append(found, pr.ID)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", missing(fmt.Sprintf("IAM knows no project named %q (the region) for these credentials", p.region),
			"WithProjectID", EnvProjectID)
	default:
		return "", missing(fmt.Sprintf("IAM has %d projects named %q (the region): %s; choose one",
			len(found), p.region, clip(strings.Join(found, ", "))), "WithProjectID", EnvProjectID)
	}
}

// target returns the escaped path prefix (up to and including
// /v2/{project_id}) and the project id of a call, looking the project id
// up first where the client has none.
func (co *core) target(ctx context.Context) (prefix, projectID string, err error) {
	if co.lookup == nil {
		return co.prefix, co.projectID, nil
	}
	id, err := co.lookup.projectID(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", contextError(http.MethodGet, projectsPath, ctx.Err())
		}
		return "", "", err
	}
	return co.base + "/v2/" + escapeSegment(id), id, nil
}
