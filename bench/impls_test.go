package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-resty/resty/v2"
	gojson "github.com/goccy/go-json"
	vendorcore "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	vendorbasic "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	vendorws "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	vendormodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/hwcloud-go/workspace"
)

// summary is what a call hands back to the benchmark: enough to check that
// the body was decoded, nothing that costs an allocation.
type summary struct {
	n        int    // snapshots decoded, or the sum of the statistics
	firstID  string // first snapshot's id
	lastName string // last snapshot's name
	lastTime int64  // last snapshot's create time, Unix seconds (0 where not parsed)
}

// benchImpl is one way of making the two calls.
type benchImpl interface {
	stats(ctx context.Context) (summary, error)
	snapshots(ctx context.Context, limit int) (summary, error)
}

// ---- this SDK ----

type sdkImpl struct{ c *workspace.Client }

func newSDKImpl(base string, aksk bool, opts ...workspace.Option) (*sdkImpl, error) {
	cred := workspace.WithToken(benchToken)
	if aksk {
		cred = workspace.WithAccessKey(benchAK, benchSK)
	}
	c, err := workspace.NewClient(append([]workspace.Option{workspace.WithEndpoint(base), workspace.WithProjectID(benchProjectID), cred}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &sdkImpl{c: c}, nil
}

func (s *sdkImpl) stats(ctx context.Context) (summary, error) {
	st, err := s.c.DesktopPools.GetInconsistentStatistics(ctx, benchPoolID)
	if err != nil {
		return summary{}, err
	}
	return summary{n: st.ProductID + st.ImageID + st.DiskNum + st.DiskSize}, nil
}

func (s *sdkImpl) snapshots(ctx context.Context, limit int) (summary, error) {
	p, err := s.c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: limit})
	if err != nil {
		return summary{}, err
	}
	if len(p.Items) == 0 {
		return summary{}, nil
	}
	last := &p.Items[len(p.Items)-1]
	return summary{n: len(p.Items), firstID: p.Items[0].ID, lastName: last.Name, lastTime: last.CreateTime.Unix()}, nil
}

// ---- hand-written net/http + encoding/json ----

// rawStats, rawSnapshot and rawSnapshotPage are what a careful user
// would write by hand: times as time.Time, the process as a pointer.
type rawStats struct {
	ProductID int `json:"product_id"`
	ImageID   int `json:"image_id"`
	DiskNum   int `json:"disk_num"`
	DiskSize  int `json:"disk_size"`
}

type rawSnapshot struct {
	ID                string    `json:"snapshot_id"`
	Name              string    `json:"snapshot_name"`
	DesktopID         string    `json:"desktop_id"`
	DesktopName       string    `json:"desktop_name"`
	DesktopSID        string    `json:"desktop_sid"`
	DesktopPoolID     string    `json:"desktop_pool_id"`
	IsSystemDisk      bool      `json:"is_system_disk"`
	Status            string    `json:"status"`
	Process           *int      `json:"process"`
	Description       string    `json:"description"`
	CreateTime        time.Time `json:"create_time"`
	LastRestoreTime   time.Time `json:"last_restore_time"`
	CreateType        string    `json:"create_type"`
	RestoreFailReason string    `json:"restore_fail_reason"`
}

type rawSnapshotPage struct {
	Snapshots  []rawSnapshot `json:"desktop_snapshots"`
	TotalCount int           `json:"total_count"`
}

type rawImpl struct {
	hc     *http.Client
	base   string
	token  string
	decode func(io.Reader, any) error // nil: encoding/json's Decoder
}

// Decoders measured as alternatives to encoding/json; they are in this
// module only, never in the library's.
func decodeGoJSON(r io.Reader, v any) error { return gojson.NewDecoder(r).Decode(v) }
func decodeJSONv2(r io.Reader, v any) error { return jsonv2.UnmarshalRead(r, v) }

// newRawImpl uses http.DefaultTransport's settings (a transport of its
// own, so that no implementation shares another's connections); tuned
// sizes the idle pool for 64 connections per host as the SDK does.
func newRawImpl(base string, tuned bool) *rawImpl {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if tuned {
		tr.MaxIdleConnsPerHost = 64
	}
	return &rawImpl{hc: &http.Client{Transport: tr, Timeout: time.Minute}, base: base, token: benchToken}
}

func (c *rawImpl) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if c.decode != nil {
		return c.decode(resp.Body, out)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *rawImpl) stats(ctx context.Context) (summary, error) {
	var st rawStats
	path := "/v2/" + url.PathEscape(benchProjectID) + "/desktop-pools/" + url.PathEscape(benchPoolID) + "/inconsistent-statics"
	if err := c.get(ctx, path, &st); err != nil {
		return summary{}, err
	}
	return summary{n: st.ProductID + st.ImageID + st.DiskNum + st.DiskSize}, nil
}

func (c *rawImpl) snapshots(ctx context.Context, limit int) (summary, error) {
	var p rawSnapshotPage
	path := "/v2/" + url.PathEscape(benchProjectID) + "/snapshots?limit=" + strconv.Itoa(limit)
	if err := c.get(ctx, path, &p); err != nil {
		return summary{}, err
	}
	return rawSummary(p.Snapshots), nil
}

func rawSummary(s []rawSnapshot) summary {
	if len(s) == 0 {
		return summary{}
	}
	last := &s[len(s)-1]
	return summary{n: len(s), firstID: s[0].ID, lastName: last.Name, lastTime: last.CreateTime.Unix()}
}

// ---- plain resty v2 with SetResult ----

type restyImpl struct{ rc *resty.Client }

func newRestyImpl(base string) *restyImpl {
	rc := resty.New().SetBaseURL(base).
		SetHeader("X-Auth-Token", benchToken).
		SetHeader("Accept", "application/json")
	return &restyImpl{rc: rc}
}

func (c *restyImpl) stats(ctx context.Context) (summary, error) {
	var st rawStats
	resp, err := c.rc.R().SetContext(ctx).SetResult(&st).
		Get("/v2/" + benchProjectID + "/desktop-pools/" + benchPoolID + "/inconsistent-statics")
	if err != nil {
		return summary{}, err
	}
	if resp.IsError() {
		return summary{}, fmt.Errorf("inconsistent-statics: %s", resp.Status())
	}
	return summary{n: st.ProductID + st.ImageID + st.DiskNum + st.DiskSize}, nil
}

func (c *restyImpl) snapshots(ctx context.Context, limit int) (summary, error) {
	var p rawSnapshotPage
	resp, err := c.rc.R().SetContext(ctx).SetResult(&p).
		SetQueryParam("limit", strconv.Itoa(limit)).
		Get("/v2/" + benchProjectID + "/snapshots")
	if err != nil {
		return summary{}, err
	}
	if resp.IsError() {
		return summary{}, fmt.Errorf("snapshots: %s", resp.Status())
	}
	return rawSummary(p.Snapshots), nil
}

// ---- the vendor SDK (huaweicloud-sdk-go-v3), AK/SK ----

type vendorImpl struct{ c *vendorws.WorkspaceClient }

func newVendorImpl(base string) (*vendorImpl, error) {
	cred, err := vendorbasic.NewCredentialsBuilder().
		WithAk(benchAK).WithSk(benchSK).WithProjectId(benchProjectID).SafeBuild()
	if err != nil {
		return nil, err
	}
	var b *vendorcore.HcHttpClientBuilder = vendorws.WorkspaceClientBuilder()
	hc, err := b.WithEndpoints([]string{base}).WithCredential(cred).SafeBuild()
	if err != nil {
		return nil, err
	}
	return &vendorImpl{c: vendorws.NewWorkspaceClient(hc)}, nil
}

func (v *vendorImpl) stats(context.Context) (summary, error) {
	resp, err := v.c.ListInconsistentStatics(&vendormodel.ListInconsistentStaticsRequest{PoolId: benchPoolID})
	if err != nil {
		return summary{}, err
	}
	var n int32
	for _, p := range []*int32{resp.ProductId, resp.ImageId, resp.DiskNum, resp.DiskSize} {
		if p != nil {
			n += *p
		}
	}
	return summary{n: int(n)}, nil
}

func (v *vendorImpl) snapshots(_ context.Context, limit int) (summary, error) {
	l := int32(limit)
	resp, err := v.c.ListDesktopSnapshot(&vendormodel.ListDesktopSnapshotRequest{Limit: &l})
	if err != nil {
		return summary{}, err
	}
	if resp.DesktopSnapshots == nil || len(*resp.DesktopSnapshots) == 0 {
		return summary{}, nil
	}
	s := *resp.DesktopSnapshots
	var sum summary
	sum.n = len(s)
	if s[0].SnapshotId != nil {
		sum.firstID = *s[0].SnapshotId
	}
	if last := s[len(s)-1]; last.SnapshotName != nil {
		sum.lastName = *last.SnapshotName
	}
	return sum, nil // the vendor SDK keeps times as strings: not parsed
}
