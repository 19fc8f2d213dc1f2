package workspacetest_test

import (
	"net/http"
	"testing"

	"github.com/hwcloud-go/workspace/workspacetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFakeMetadataSessionTokens(t *testing.T) {
	t.Parallel()
	t.Run("required", func(t *testing.T) {
		t.Parallel()
		srv := fakeNewServer(t, workspacetest.WithMetadataTokens(workspacetest.MetadataTokensRequired))
		status, _ := identityDo(t, "GET", srv.MetadataURL()+"/openstack/latest/securitykey", "", nil)
		assert.Equal(t, http.StatusUnauthorized, status, "no token")
		status, _ = identityDo(t, "PUT", srv.MetadataURL()+"/meta-data/latest/api/token", "", nil)
		assert.Equal(t, http.StatusBadRequest, status, "no TTL")
		status, _ = identityDo(t, "PUT", srv.MetadataURL()+"/meta-data/latest/api/token", "", map[string]string{"X-Metadata-Token-Ttl-Seconds": "21601"})
		assert.Equal(t, http.StatusBadRequest, status, "TTL too long")
		status, tok := identityDo(t, "PUT", srv.MetadataURL()+"/meta-data/latest/api/token", "", map[string]string{"X-Metadata-Token-Ttl-Seconds": "60"})
		require.Equal(t, http.StatusOK, status)
		status, body := identityDo(t, "GET", srv.MetadataURL()+"/openstack/latest/meta_data.json", "", map[string]string{"X-Metadata-Token": tok})
		assert.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, `"region_id":"ap-southeast-3"`)
		assert.Contains(t, body, `"project_id":"`+srv.ProjectID+`"`)
		status, _ = identityDo(t, "GET", srv.MetadataURL()+"/openstack/latest/securitykey", "", map[string]string{"X-Metadata-Token": "forged"})
		assert.Equal(t, http.StatusUnauthorized, status, "unknown token")
		for _, r := range srv.Requests() {
			if v := r.Header.Get("X-Metadata-Token"); v != "" {
				assert.Equal(t, "REDACTED", v)
			}
		}
	})
	t.Run("unsupported", func(t *testing.T) {
		t.Parallel()
		srv := fakeNewServer(t, workspacetest.WithMetadataTokens(workspacetest.MetadataTokensUnsupported), workspacetest.WithRegion("eu-west-101"))
		status, _ := identityDo(t, "PUT", srv.MetadataURL()+"/meta-data/latest/api/token", "", map[string]string{"X-Metadata-Token-Ttl-Seconds": "60"})
		assert.Equal(t, http.StatusNotFound, status)
		status, body := identityDo(t, "GET", srv.MetadataURL()+"/openstack/latest/meta_data.json", "", nil)
		assert.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, `"region_id":"eu-west-101"`)
	})
}
