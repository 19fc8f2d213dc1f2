package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDesktopsService_CheckImages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// The spec's example response.
	mux.handle("/desktops/check-images", respond(http.StatusOK, `{
"image_infos" : [ {
"desktop_id" : "0730042a-b9c7-4279-bb24-d3fd299a2efe",
"image_id" : "b669106a-1395-4f24-92af-d884c227e558",
"image_type" : "market",
"os_type" : "Windows"
} ]
}`))
	// The spec's example request.
	ids := []string{"f77db5cd-c020-47d4-bbbe-9b979a38d18c", "f77db5cd-c020-47d4-bbbe-9b979a38d18b"}
	got, err := c.Desktops.CheckImages(testContext(t), ids)
	require.NoError(t, err)
	assert.Equal(t, []DesktopImageInfo{{
		DesktopID: "0730042a-b9c7-4279-bb24-d3fd299a2efe",
		ImageID:   "b669106a-1395-4f24-92af-d884c227e558",
		ImageType: "market",
		OSType:    "Windows",
	}}, got)

	r := mux.last(t)
	testMethod(t, r, "POST")
	testPath(t, r, testPrefix+"/desktops/check-images")
	testQuery(t, r, nil)
	testJSONBody(t, r, `{
"desktop_ids" : [ "f77db5cd-c020-47d4-bbbe-9b979a38d18c", "f77db5cd-c020-47d4-bbbe-9b979a38d18b" ]
}`)
	testHeader(t, r, "X-Auth-Token", testToken)
}

func TestDesktopsService_CheckImages_EmptyAnswers(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"null image_infos":   `{"image_infos":null}`,
		"absent image_infos": `{}`,
		"empty image_infos":  `{"image_infos":[]}`,
		"only unknown field": `{"something_new":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktops/check-images", respond(http.StatusOK, body))
			got, err := c.Desktops.CheckImages(testContext(t), []string{"d1"})
			require.NoError(t, err)
			assert.NotNil(t, got, "an answer without images is an empty slice, not nil")
			assert.Empty(t, got)
		})
	}
}

func TestDesktopsService_CheckImages_UnknownValuesKept(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/check-images", respond(http.StatusOK, `{"image_infos":[
		{"desktop_id":"d1","image_id":"","image_name":"Win 11","image_type":"community","os_type":"BeOS","extra":[1,2]},
		{"desktop_id":"d2"}]}`))
	got, err := c.Desktops.CheckImages(testContext(t), []string{"d1", "d2"})
	require.NoError(t, err)
	assert.Equal(t, []DesktopImageInfo{
		{DesktopID: "d1", ImageName: "Win 11", ImageType: "community", OSType: "BeOS"},
		{DesktopID: "d2"},
	}, got)
}

func TestDesktopsService_CheckImages_Limits(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/check-images", respond(http.StatusOK, `{"image_infos":[]}`))

	ids := make([]string, MaxCheckImagesDesktops)
	for i := range ids {
		ids[i] = fmt.Sprintf("desktop-%03d", i)
	}
	ids[0] = strings.Repeat("x", MaxDesktopIDLength)
	_, err := c.Desktops.CheckImages(testContext(t), ids)
	require.NoError(t, err, "500 ids and a 255-character id are accepted")

	var body struct {
		DesktopIDs []string `json:"desktop_ids"`
	}
	require.NoError(t, json.Unmarshal(mux.last(t).Body, &body))
	assert.Equal(t, ids, body.DesktopIDs)
}

func TestDesktopsService_List(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ListDesktopsOptions
		wantQuery url.Values
	}{
		{name: "nil opts", opts: nil},
		{
			// pool_id is one comma-separated string, as the API documents
			// it; the array filters go repeated.
			name: "every filter",
			opts: &ListDesktopsOptions{
				PoolIDs: []string{"p1", "p2"}, Status: DesktopStatusShutoff, UserNames: []string{"alice"},
				ComputerNames: []string{"A", "B"}, DesktopIDs: []string{"d1", "d2"}, DesktopIP: "10.0.0.1",
				ImageID: "img", SubnetID: "sub", AvailabilityZone: "az", EnterpriseProjectID: "0",
				TagFilter: "k=v", DesktopType: DesktopTypeDedicated, UserAttached: boolPtr(false),
				InMaintenanceMode: boolPtr(true), SortField: DesktopSortCreated, SortType: SortTypeAsc,
				Offset: 500, Limit: 500,
			},
			wantQuery: url.Values{
				"pool_id": {"p1,p2"}, "status": {"SHUTOFF"}, "user_names": {"alice"}, "computer_names": {"A", "B"},
				"desktop_id": {"d1", "d2"}, "desktop_ip": {"10.0.0.1"}, "image_id": {"img"}, "subnet_id": {"sub"},
				"availability_zone": {"az"}, "enterprise_project_id": {"0"}, "tag": {"k=v"},
				"desktop_type": {"DEDICATED"}, "user_attached": {"false"}, "in_maintenance_mode": {"true"},
				"sort_field": {"created"}, "sort_type": {"ASC"}, "offset": {"500"}, "limit": {"500"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktops/detail", respond(http.StatusOK, `{"total_count": 2, "desktops": [
				{"desktop_id": "d1", "status": "BUILD", "attach_state": "SOMETHING_NEW", "process": null, "created": null,
				 "metadata": null, "data_volumes": null, "root_volume": null, "flavor": null},
				{"desktop_id": "d2", "computer_name": "", "desktop_type": "SHARED", "login_status": "UNREGISTER", "inconsistent_types": null}]}`))
			got, err := c.Desktops.List(testContext(t), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, &Page[Desktop]{TotalCount: 2, Items: []Desktop{
				{ID: "d1", Status: "BUILD", AttachState: "SOMETHING_NEW"},
				{ID: "d2", Type: DesktopTypeShared, LoginStatus: LoginStatusUnregister},
			}}, got, "null decodes to zero, unknown values are kept, and no pool id is made up")
			r := mux.last(t)
			testMethod(t, r, "GET")
			testPath(t, r, testPrefix+"/desktops/detail")
			testQuery(t, r, tt.wantQuery)
			testNoBody(t, r)
		})
	}
}

func TestDesktopsService_AllPages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/detail", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("offset") == "" {
			writeJSON(w, http.StatusOK, `{"total_count": 3, "desktops": [{"desktop_id": "d1"}, {"desktop_id": "d2"}]}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"total_count": 3, "desktops": [{"desktop_id": "d3"}]}`)
	})
	var ids []string
	for d, err := range c.Desktops.All(testContext(t), &ListDesktopsOptions{Limit: 2, PoolIDs: []string{"p1"}}) {
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"d1", "d2", "d3"}, ids)
	for _, r := range mux.all() {
		assert.Equal(t, "p1", r.Query.Get("pool_id"))
	}
}

func TestDesktopsListValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	ctx := testContext(t)
	var nilCtx context.Context // a nil context, as a careless caller would pass
	for field, opts := range map[string]*ListDesktopsOptions{
		"opts.Limit":         {Limit: 501},
		"opts.Offset":        {Offset: -1},
		"opts.SortType":      {SortField: DesktopSortComputerName},
		"opts.SortField":     {SortType: SortTypeDesc},
		"opts.PoolIDs[1]":    {PoolIDs: []string{"p1", " "}},
		"opts.PoolIDs[0]":    {PoolIDs: []string{"p1,p2"}},
		"opts.UserNames":     {UserNames: make([]string, 101)},
		"opts.DesktopIDs[0]": {DesktopIDs: []string{""}},
	} {
		_, err := c.Desktops.List(ctx, opts)
		assert.Equal(t, field, errorAs[*ValidationError](t, err).Field)
	}
	_, err := c.Desktops.List(nilCtx, nil)
	assert.Equal(t, "ctx", errorAs[*ValidationError](t, err).Field)
	assert.Zero(t, mux.requests())
}
