package config

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/credcall"
	"github.com/hwcloud-go/workspace/internal/envnames"
	"github.com/hwcloud-go/workspace/internal/pipeline"
	"github.com/hwcloud-go/workspace/internal/signer"
)

// projectsPath is IAM's list of projects; ?name={region} selects the
// region's project.
const projectsPath = "/v3/projects"

// lookupProject asks IAM at iamBase for the project named region (the
// project of a region has the region's name), signing with creds. No
// project, or more than one, is a *workspace.ConfigError that names the
// region and the projects found.
func lookupProject(ctx context.Context, hc *http.Client, iamBase, region string, creds workspace.CredentialsProvider) (string, error) {
	cred, err := creds.Credentials(ctx)
	if err != nil {
		return "", fmt.Errorf("workspace: getting the credentials: %w", err)
	}
	sk, st := cred.SecretKey.Reveal(), cred.SecurityToken.Reveal()
	if cred.AccessKey == "" || sk == "" {
		return "", credcall.Missing("looking up the project id: the credentials have an empty access or secret key")
	}
	u, _ := url.Parse(iamBase) // checked by credcall.IAMEndpoint
	path := strings.TrimRight(u.EscapedPath(), "/") + projectsPath
	query := url.Values{"name": {region}}
	date := signer.FormatDate(time.Now())
	// Signed as every API call is (signer.Fixed: names lowercase, sorted).
	signed := []signer.Header{{Name: "host", Value: u.Host}, {Name: "x-sdk-date", Value: date}}
	header := http.Header{"X-Sdk-Date": {date}}
	if st != "" {
		header.Set("X-Security-Token", st)
		signed = append(signed, signer.Header{Name: "x-security-token", Value: st})
	}
	sr := signer.Fixed{Method: http.MethodGet, Path: path, Query: query, Headers: signed}
	header.Set("Authorization", signer.SignFixed(&sr, cred.AccessKey, sk))
	r := &credcall.Request{Method: http.MethodGet, URL: u.Scheme + "://" + u.Host + path + "?" + signer.CanonicalQuery(query), Path: projectsPath, Header: header}
	var out struct {
		Projects []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"projects"`
	}
	svc := credcall.NewService(hc)
	if hc == nil {
		// A transport of the lookup's own: its connection must not
		// outlive Load.
		defer svc.CloseIdleConnections()
	}
	if err := svc.Call(ctx, r, func(_ http.Header, body io.Reader) error { return credcall.DecodeJSON(body, &out) }); err != nil {
		return "", err
	}
	var found []string
	for _, p := range out.Projects {
		// IAM matches the name exactly; a fake or proxy that does not
		// filter must not make the client pick another region's project.
		// The same project listed twice is one project.
		if id := strings.TrimSpace(p.ID); p.Name == region && id != "" && !slices.Contains(found, id) {
			found = append(found, id)
		}
	}
	switch len(found) {
	case 1:
		if !validProjectID(found[0]) {
			// It would go into every request's path and X-Project-Id
			// header: checked as a project id from any other source is.
			return "", credcall.Missing(fmt.Sprintf("IAM answered %q for the project of region %q, which is not a project id",
				pipeline.Clip(found[0]), region), envnames.ProjectID, "workspace.WithProjectID")
		}
		return found[0], nil
	case 0:
		return "", credcall.Missing(fmt.Sprintf("IAM knows no project named %q (the region) for these credentials", region),
			envnames.ProjectID, "workspace.WithProjectID")
	default:
		return "", credcall.Missing(fmt.Sprintf("IAM has %d projects named %q (the region): %s; choose one",
			len(found), region, pipeline.Clip(strings.Join(found, ", "))), envnames.ProjectID, "workspace.WithProjectID")
	}
}
