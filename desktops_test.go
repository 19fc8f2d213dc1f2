package workspace

import (
	"encoding/json"
	"fmt"
	"net/http"
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
