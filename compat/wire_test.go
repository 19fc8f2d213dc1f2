package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	vendorws "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The deliberate differences between the vendor's requests and ours, each
// as wireDiff describes it. Every one is kept on purpose:
const (
	// Ours says what it accepts; the vendor sends no Accept. Harmless to
	// the gateway, and right by HTTP.
	pinAccept = `header Accept: vendor (none), ours "application/json"`
	// The vendor sends Content-Type: application/json on every request,
	// body or not; ours only on requests with a body, as the spec says
	// ("Content-Type: application/json on requests with a body").
	pinContentTypeOnGET = `header Content-Type: vendor "application/json", ours (none)`
	// Each client names itself.
	pinUserAgent = `header User-Agent: vendor "huaweicloud-usdk-go", ours "workspace-go"`
	// The vendor's JSON encoder ends the body with a newline; ours sends
	// the bare JSON value. Both are the same JSON, and both sign what
	// they send.
	pinBodyNewline = `body: vendor ends in a newline`
)

// Signed headers: ours signs host (and content-type when there is a
// body), as the spec advises, so that a request cannot be replayed at
// another host; the vendor signs user-agent instead of host and never
// content-type. The gateway verifies whatever the client listed.
func pinSignedHeaders(post, securityToken bool) string {
	vendor := "user-agent;x-project-id;x-sdk-date"
	ours := "host;x-project-id;x-sdk-date"
	if post {
		ours = "content-type;" + ours
	}
	if securityToken {
		vendor += ";x-security-token"
		ours += ";x-security-token"
	}
	return "signed headers: vendor " + vendor + ", ours " + ours
}

// expectedDiffs is every difference expected for a request of this kind,
// in wireDiff's order, plus the case's own.
func expectedDiffs(post, securityToken bool, extra ...string) []string {
	var d []string
	d = append(d, extra...)
	bodyBytes := slices.ContainsFunc(extra, func(s string) bool { return strings.HasPrefix(s, "body bytes:") })
	if post && !bodyBytes {
		d = append(d, pinBodyNewline)
	}
	d = append(d, pinAccept)
	if !post {
		d = append(d, pinContentTypeOnGET)
	}
	d = append(d, pinUserAgent, pinSignedHeaders(post, securityToken))
	slices.Sort(d)
	return d
}

// wireDiff lists every difference between the vendor's request v and ours
// o, one line each, sorted. The date, signature and Content-Length are
// not compared (they follow from the time and the body); every other
// header is.
func wireDiff(t *testing.T, v, o recorded) []string {
	t.Helper()
	var d []string
	add := func(format string, args ...any) { d = append(d, fmt.Sprintf(format, args...)) }
	if v.Method != o.Method {
		add("method: vendor %s, ours %s", v.Method, o.Method)
	}
	if v.Path != o.Path {
		add("path: vendor %s, ours %s", v.Path, o.Path)
	}
	vq, err := url.ParseQuery(v.RawQuery)
	require.NoError(t, err)
	oq, err := url.ParseQuery(o.RawQuery)
	require.NoError(t, err)
	switch {
	case !reflect.DeepEqual(vq, oq):
		add("query values: vendor %v, ours %v", vq, oq)
	case v.RawQuery != o.RawQuery:
		add("query encoding: vendor %s, ours %s", v.RawQuery, o.RawQuery)
	}
	d = append(d, bodyDiff(t, v.Body, o.Body)...)
	d = append(d, headerDiff(t, v, o)...)
	slices.Sort(d)
	return d
}

func bodyDiff(t *testing.T, v, o []byte) []string {
	t.Helper()
	if len(v) == 0 && len(o) == 0 {
		return nil
	}
	var vj, oj any
	if json.Unmarshal(v, &vj) != nil || json.Unmarshal(o, &oj) != nil || !reflect.DeepEqual(vj, oj) {
		return []string{fmt.Sprintf("body: vendor %s, ours %s", v, o)}
	}
	switch {
	case bytes.Equal(v, o):
		return nil
	case bytes.Equal(v, append(append([]byte(nil), o...), '\n')):
		return []string{pinBodyNewline}
	}
	return []string{fmt.Sprintf("body bytes: vendor %s, ours %s", v, o)}
}

// notCompared are headers whose values follow from the time or the body.
var notCompared = map[string]bool{"Authorization": true, "X-Sdk-Date": true, "Content-Length": true, "User-Agent": true}

func headerDiff(t *testing.T, v, o recorded) []string {
	t.Helper()
	var d []string
	names := map[string]bool{}
	for k := range v.Header {
		names[k] = true
	}
	for k := range o.Header {
		names[k] = true
	}
	show := func(vals []string) string {
		if len(vals) == 0 {
			return "(none)"
		}
		return fmt.Sprintf("%q", strings.Join(vals, ", "))
	}
	for name := range names {
		if notCompared[name] {
			continue
		}
		if vv, ov := v.Header.Values(name), o.Header.Values(name); !slices.Equal(vv, ov) {
			d = append(d, fmt.Sprintf("header %s: vendor %s, ours %s", name, show(vv), show(ov)))
		}
	}
	product := func(ua string) string { p, _, _ := strings.Cut(ua, "/"); return p }
	if vp, op := product(v.Header.Get("User-Agent")), product(o.Header.Get("User-Agent")); vp != op {
		d = append(d, fmt.Sprintf("header User-Agent: vendor %q, ours %q", vp, op))
	}
	// Both date their request the same way, within the same minute.
	vd, err := time.Parse("20060102T150405Z", v.Header.Get("X-Sdk-Date"))
	require.NoError(t, err, "vendor X-Sdk-Date")
	od, err := time.Parse("20060102T150405Z", o.Header.Get("X-Sdk-Date"))
	require.NoError(t, err, "our X-Sdk-Date")
	assert.WithinDuration(t, vd, od, time.Minute)
	va, oa := parseAuth(t, v.Header.Get("Authorization")), parseAuth(t, o.Header.Get("Authorization"))
	if va["Access"] != oa["Access"] {
		d = append(d, fmt.Sprintf("access key: vendor %s, ours %s", va["Access"], oa["Access"]))
	}
	if va["SignedHeaders"] != oa["SignedHeaders"] {
		d = append(d, fmt.Sprintf("signed headers: vendor %s, ours %s", va["SignedHeaders"], oa["SignedHeaders"]))
	}
	assert.Len(t, va["Signature"], 64)
	assert.Len(t, oa["Signature"], 64)
	return d
}

// parseAuth splits "SDK-HMAC-SHA256 Access=..., SignedHeaders=...,
// Signature=...".
func parseAuth(t *testing.T, v string) map[string]string {
	t.Helper()
	rest, ok := strings.CutPrefix(v, "SDK-HMAC-SHA256 ")
	require.True(t, ok, "Authorization %q", v)
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		out[k] = val
	}
	return out
}

// wireCase is a call made with both clients on the recording server, with
// the differences of its own beyond those of every request.
type wireCase struct {
	opCase
	post  bool
	extra []string
}

// writeCases are the batch-deletes: the vendor's model names volumes by
// id alone (the current revision), so ours sends ID-only volumes too.
func writeCases(f fixture) []wireCase {
	del := func(name string, ours *workspace.BatchDeleteVolumesRequest, vendor *model.DeleteDesktopPoolVolumesReq, extra ...string) wireCase {
		return wireCase{post: true, extra: extra, opCase: opCase{
			name: "batch-delete/" + name, op: workspacetest.OpBatchDeleteVolumes,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.DesktopPools.BatchDeleteVolumes(ctx, f.poolID, ours)
			},
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.DeleteDesktopPoolVolumes(&model.DeleteDesktopPoolVolumesRequest{PoolId: f.poolID, Body: vendor})
				if err != nil {
					return nil, err
				}
				return &workspace.BatchDeleteVolumesResult{JobID: str(r.JobId)}, nil
			},
		}}
	}
	ids := f.volumeIDs
	vols := func(ids ...string) *[]model.DeleteDesktopPoolVolumesReqVolumes {
		out := make([]model.DeleteDesktopPoolVolumesReqVolumes, len(ids))
		for i, id := range ids {
			out[i].Id = id
		}
		return &out
	}
	handle := model.GetDeleteDesktopPoolVolumesReqHandleTypeEnum()
	return []wireCase{
		del("one volume by id",
			&workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{{ID: ids[0]}}},
			&model.DeleteDesktopPoolVolumesReq{Volumes: vols(ids[0])}),
		del("every volume, handle type and desktops",
			&workspace.BatchDeleteVolumesRequest{
				Volumes:    []workspace.VolumeInfo{{ID: ids[0]}, {ID: ids[len(ids)-1]}},
				HandleType: workspace.VolumeHandleForExpandAndAll, DesktopIDs: f.desktopIDs[:2],
			},
			&model.DeleteDesktopPoolVolumesReq{
				Volumes: vols(ids[0], ids[len(ids)-1]), HandleType: &handle.FOR_EXPAND_AND_ALL,
				DesktopIds: ptr(append([]string(nil), f.desktopIDs[:2]...)),
			},
			// The vendor writes its struct's fields in their order
			// (handle_type, desktop_ids, volumes), ours the API
			// reference's (volumes first); the same JSON object.
			"body bytes: vendor "+mustJSON(map[string]any{"handle_type": "FOR_EXPAND_AND_ALL", "desktop_ids": f.desktopIDs[:2], "volumes": []map[string]string{{"id": ids[0]}, {"id": ids[len(ids)-1]}}}, "handle_type", "desktop_ids", "volumes")+
				"\n, ours "+mustJSON(map[string]any{"handle_type": "FOR_EXPAND_AND_ALL", "desktop_ids": f.desktopIDs[:2], "volumes": []map[string]string{{"id": ids[0]}, {"id": ids[len(ids)-1]}}}, "volumes", "handle_type", "desktop_ids")),
	}
}

// mustJSON writes the object m compactly with its keys in the order given.
func mustJSON(m map[string]any, keys ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(m[k])
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.String()
}

// The same calls from the same inputs through both clients, recorded:
// method, path, query and body agree, and every other difference is one
// of the pinned ones above. A new difference, or a pinned one that went
// away, fails the test.
func TestWireFormOfBothClients(t *testing.T) {
	t.Parallel()
	for _, mode := range credModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			demo := workspacetest.NewServer(append([]workspacetest.Option{workspacetest.WithDemoData()}, mode.opts...)...)
			t.Cleanup(demo.Close)
			f := newFixture(t, demo)
			rec := newRecorder(t)
			p := newVendorPair(t, rec.URL, demo)
			var cases []wireCase
			for _, c := range readCases(f) {
				cases = append(cases, wireCase{opCase: c, post: c.op == workspacetest.OpCheckImages})
			}
			cases = append(cases, writeCases(f)...)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					_, err := tc.vendor(t, p.vendor)
					require.NoError(t, err, "vendor")
					_, err = tc.ours(context.Background(), p.ours)
					require.NoError(t, err, "ours")
					reqs := rec.take(t, 2)
					assert.Equal(t, expectedDiffs(tc.post, demo.SecurityToken != "", tc.extra...), wireDiff(t, reqs[0], reqs[1]))
				})
			}
		})
	}
}

// Odd inputs: ids that are not one plain path segment, query values with
// spaces and reserved characters, and an endpoint with a path prefix.
func TestWireFormOddInputs(t *testing.T) {
	t.Parallel()
	demo := workspacetest.NewServer()
	t.Cleanup(demo.Close)
	rec := newRecorder(t)
	p := newVendorPair(t, rec.URL, demo)
	prefixed := newVendorPair(t, rec.URL+"/gw", demo)
	v2 := "/v2/" + demo.ProjectID
	stats := func(pair *vendorPair, poolID string, extra ...string) wireCase {
		return wireCase{extra: extra, opCase: opCase{
			name: "inconsistent-statics " + poolID,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return pair.ours.DesktopPools.GetInconsistentStatistics(ctx, poolID)
			},
			vendor: func(_ *testing.T, _ *vendorws.WorkspaceClient) (any, error) {
				return pair.vendor.ListInconsistentStatics(&model.ListInconsistentStaticsRequest{PoolId: poolID})
			},
		}}
	}
	names := []string{"Finance Desk 01", "a&b=c+d", "ü/ß?#", "50% off"}
	cases := []wireCase{
		// Ours escapes an id as one path segment; the vendor puts it in
		// the path as it is, so a "/" splits it and ".." climbs a level
		// wherever a proxy cleans the path. Kept: an id must name the
		// resource it names.
		stats(p, "pool a/b",
			"path: vendor "+v2+"/desktop-pools/pool%20a/b/inconsistent-statics, ours "+v2+"/desktop-pools/pool%20a%2Fb/inconsistent-statics"),
		stats(p, "..",
			"path: vendor "+v2+"/desktop-pools/../inconsistent-statics, ours "+v2+"/desktop-pools/%2E%2E/inconsistent-statics"),
		stats(p, "pool-ü"), // non-ASCII: both percent-encode the UTF-8 bytes
		// Ours keeps the endpoint's path prefix (a private gateway's, say);
		// the vendor replaces the endpoint's path with the operation's.
		stats(prefixed, "pool-1",
			"path: vendor "+v2+"/desktop-pools/pool-1/inconsistent-statics, ours /gw"+v2+"/desktop-pools/pool-1/inconsistent-statics"),
		// Query values: byte for byte the same (space as %20, reserved
		// characters and UTF-8 escaped, repeated names in order).
		{opCase: snapshotCase("names with spaces and reserved characters", &workspace.ListSnapshotsOptions{
			DesktopName: names[0], DesktopNames: names, SnapshotNames: names[1:], SnapshotName: "x y",
		})},
		{opCase: taskCase("script name with reserved characters", &workspace.ListScriptExecutionTasksOptions{ScriptName: "a&b=c/ü~"})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.vendor(t, p.vendor)
			require.NoError(t, err, "vendor")
			_, err = tc.ours(context.Background(), p.ours)
			require.NoError(t, err, "ours")
			reqs := rec.take(t, 2)
			assert.Equal(t, expectedDiffs(tc.post, false, tc.extra...), wireDiff(t, reqs[0], reqs[1]))
		})
	}
}
