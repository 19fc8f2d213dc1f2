// Command sizeraw makes the five Workspace calls by hand with net/http and
// encoding/json. It exists to be built: benchtable compares its size with
// cmd/sizesdk's, which makes the same calls through the SDK.
//
// Usage: sizeraw -endpoint URL -project ID -pool ID (token in WORKSPACE_TOKEN).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

type stats struct {
	ProductID int `json:"product_id"`
	ImageID   int `json:"image_id"`
	DiskNum   int `json:"disk_num"`
	DiskSize  int `json:"disk_size"`
}

type volume struct {
	ID   string `json:"id,omitempty"`
	Type string `json:"type"`
	Size int    `json:"size"`
}

type batchDelete struct {
	Volumes []volume `json:"volumes"`
}

type jobID struct {
	JobID string `json:"job_id"`
}

type imageInfo struct {
	DesktopID string `json:"desktop_id"`
	ImageID   string `json:"image_id"`
	ImageName string `json:"image_name"`
	ImageType string `json:"image_type"`
	OSType    string `json:"os_type"`
}

type images struct {
	ImageInfos []imageInfo `json:"image_infos"`
}

type task struct {
	ID              string    `json:"id"`
	DesktopPoolID   string    `json:"desktop_pool_id"`
	DesktopPoolName string    `json:"desktop_pool_name"`
	CommandContent  string    `json:"command_content"`
	CommandType     string    `json:"command_type"`
	StartTime       time.Time `json:"start_time"`
	EndTime         time.Time `json:"end_time"`
	Status          string    `json:"status"`
	SuccessNum      int       `json:"success_num"`
	FailedNum       int       `json:"failed_num"`
	SkipNum         int       `json:"skip_num"`
	Scripts         []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"scripts"`
}

type tasks struct {
	Tasks      []task `json:"script_execution_tasks"`
	TotalCount int    `json:"total_count"`
}

type snapshot struct {
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

type snapshots struct {
	Snapshots  []snapshot `json:"desktop_snapshots"`
	TotalCount int        `json:"total_count"`
}

type client struct {
	hc    *http.Client
	base  string
	token string
}

func (c *client) call(ctx context.Context, method, path string, in, out any) error {
	var body *bytes.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, method, c.base+path, body)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, c.base+path, nil)
	}
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", c.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func main() {
	endpoint := flag.String("endpoint", "", "API base URL")
	project := flag.String("project", "", "project id")
	pool := flag.String("pool", "", "desktop pool id")
	desktop := flag.String("desktop", "", "desktop id")
	flag.Parse()
	c := &client{hc: &http.Client{Timeout: time.Minute}, base: *endpoint, token: os.Getenv("WORKSPACE_TOKEN")}
	ctx := context.Background()
	p := "/v2/" + url.PathEscape(*project)
	poolPath := p + "/desktop-pools/" + url.PathEscape(*pool)

	var st stats
	if err := c.call(ctx, http.MethodGet, poolPath+"/inconsistent-statics", nil, &st); err != nil {
		log.Fatal(err)
	}
	var job jobID
	req := batchDelete{Volumes: []volume{{Type: "SAS", Size: 10}}}
	if err := c.call(ctx, http.MethodPost, poolPath+"/volumes/batch-delete", req, &job); err != nil {
		log.Fatal(err)
	}
	var im images
	if err := c.call(ctx, http.MethodPost, p+"/desktops/check-images", map[string][]string{"desktop_ids": {*desktop}}, &im); err != nil {
		log.Fatal(err)
	}
	var ts tasks
	q := url.Values{"status": {"FAILED"}, "limit": {strconv.Itoa(100)}}
	if err := c.call(ctx, http.MethodGet, p+"/desktop-pools/script-execution-tasks/detail?"+q.Encode(), nil, &ts); err != nil {
		log.Fatal(err)
	}
	var ss snapshots
	if err := c.call(ctx, http.MethodGet, p+"/snapshots?limit=1000", nil, &ss); err != nil {
		log.Fatal(err)
	}
	fmt.Println(st, job.JobID, len(im.ImageInfos), ts.TotalCount, ss.TotalCount)
}
