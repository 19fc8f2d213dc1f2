package workspace_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

func TestErrNoSuchAPI_MatchesOnlyTheGateways404(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		code        string
		noSuchAPI   bool
		notFound    bool
		otherSentry error // another sentinel that must match, or nil
	}{
		{name: "gateway no such API", status: 404, code: "APIGW.0101", noSuchAPI: true},
		{name: "code in other case and padded", status: 404, code: " apigw.0101 ", noSuchAPI: true},
		{name: "service 404", status: 404, code: "WKS.00010002", notFound: true},
		{name: "404 without a code", status: 404, notFound: true},
		{name: "other gateway 404 code", status: 404, code: "APIGW.0102", notFound: true},
		{name: "APIGW.0101 with another status", status: 400, code: "APIGW.0101", otherSentry: workspace.ErrBadRequest},
		{name: "APIGW.0101 on a 5xx", status: 502, code: "APIGW.0101", otherSentry: workspace.ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := error(&workspace.APIError{StatusCode: tt.status, Code: tt.code})
			assert.Equal(t, tt.noSuchAPI, errors.Is(err, workspace.ErrNoSuchAPI), "ErrNoSuchAPI")
			assert.Equal(t, tt.notFound, errors.Is(err, workspace.ErrNotFound), "ErrNotFound")
			if tt.otherSentry != nil {
				assert.ErrorIs(t, err, tt.otherSentry)
			}
		})
	}
}

// A typo in the endpoint's path prefix reaches the gateway, which has no
// such API: that must not read as "the pool is gone".
func TestErrNoSuchAPI_WrongEndpointAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)

	wrong, err := workspace.NewClient(
		workspace.WithEndpoint(srv.URL+"/typo"),
		workspace.WithProjectID(srv.ProjectID),
		workspace.WithToken(srv.Token),
	)
	require.NoError(t, err)
	_, err = wrong.DesktopPools.GetInconsistentStatistics(ctx, "pool-that-exists-or-not")
	require.Error(t, err)
	assert.ErrorIs(t, err, workspace.ErrNoSuchAPI)
	assert.NotErrorIs(t, err, workspace.ErrNotFound)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "APIGW.0101", apiErr.Code)

	// The right endpoint and a missing pool: an ordinary not-found.
	_, err = srv.Client().DesktopPools.GetInconsistentStatistics(ctx, "no-such-pool")
	require.Error(t, err)
	assert.ErrorIs(t, err, workspace.ErrNotFound)
	assert.NotErrorIs(t, err, workspace.ErrNoSuchAPI)
}
