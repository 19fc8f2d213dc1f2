// Package wire holds the JSON forms of the API's bodies, so that each
// JSON name is written in one Go place: the client decodes answers and
// encodes requests with these types, and workspacetest's fake server
// encodes answers and decodes requests with them. The public types of
// package workspace carry no JSON names; the conversions from and to
// these types live beside the operations that use them.
//
// The large list pages (SnapshotPage, TaskPage) also decode themselves
// with a hand-written decoder (see fast.go), which the client tries first.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ErrorBody is the API's (and its gateway's) error object; every field
// is optional, and request_id comes from the gateway only.
type ErrorBody struct {
	ErrorCode                   string `json:"error_code"`
	ErrorMsg                    string `json:"error_msg"`
	ErrorDetail                 string `json:"error_detail,omitempty"`
	EncodedAuthorizationMessage string `json:"encoded_authorization_message,omitempty"`
	RequestID                   string `json:"request_id,omitempty"`
}

// Statistics is the answer of GET .../desktop-pools/{pool_id}/inconsistent-statics.
type Statistics struct {
	ProductID int `json:"product_id"`
	ImageID   int `json:"image_id"`
	DiskNum   int `json:"disk_num"`
	DiskSize  int `json:"disk_size"`
}

// BatchDeleteRequest is the body of POST .../volumes/batch-delete.
type BatchDeleteRequest struct {
	Volumes    []Volume `json:"volumes"`
	HandleType string   `json:"handle_type,omitempty"`
	DesktopIDs []string `json:"desktop_ids,omitempty"`
}

// Volume is one data disk of a BatchDeleteRequest: named by its id (the
// API's current revision), or described by type and size (the earlier
// revision), or both. Zero fields are left out, so an id-only volume is
// {"id": "..."}.
type Volume struct {
	ID               string `json:"id,omitempty"`
	Type             string `json:"type,omitempty"`
	Size             int    `json:"size,omitempty"`
	ResourceSpecCode string `json:"resource_spec_code,omitempty"`
	IOPS             int    `json:"iops,omitempty"`
	Throughput       int    `json:"throughput,omitempty"`
	KMSID            string `json:"kms_id,omitempty"`
}

// JobRef is the answer of an operation that starts a job.
type JobRef struct {
	JobID string `json:"job_id"`
}

// UnmarshalJSON refuses an answer without a job_id: the job started and
// its id was lost, which the caller must hear of rather than wait on "".
func (r *JobRef) UnmarshalJSON(data []byte) error {
	type plain JobRef
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if strings.TrimSpace(p.JobID) == "" {
		return errNoID("job_id")
	}
	*r = JobRef(p)
	return nil
}

// errNoID is the error of an answer that lacks the id of what it started.
func errNoID(field string) error {
	return fmt.Errorf("the answer has no %s: what it started cannot be followed", field)
}

// CheckImagesRequest is the body of POST .../desktops/check-images.
type CheckImagesRequest struct {
	DesktopIDs []string `json:"desktop_ids"`
}

// Images is the answer of POST .../desktops/check-images.
type Images struct {
	ImageInfos []ImageInfo `json:"image_infos"`
}

// ImageInfo is the image of one desktop.
type ImageInfo struct {
	DesktopID string `json:"desktop_id"`
	ImageID   string `json:"image_id"`
	ImageName string `json:"image_name"`
	ImageType string `json:"image_type"`
	OSType    string `json:"os_type"`
}

// TaskPage is the answer of GET .../script-execution-tasks/detail.
type TaskPage struct {
	Tasks      []Task `json:"script_execution_tasks"`
	TotalCount int    `json:"total_count"`
}

// Task is one script execution task.
type Task struct {
	ID              string   `json:"id"`
	DesktopPoolID   string   `json:"desktop_pool_id"`
	DesktopPoolName string   `json:"desktop_pool_name"`
	Scripts         []Script `json:"scripts"`
	CommandContent  string   `json:"command_content"`
	CommandType     string   `json:"command_type"`
	StartTime       Time     `json:"start_time"`
	EndTime         Time     `json:"end_time"`
	Status          string   `json:"status"`
	SuccessNum      int      `json:"success_num"`
	FailedNum       int      `json:"failed_num"`
	SkipNum         int      `json:"skip_num"`
}

// Script is one script of a Task.
type Script struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SnapshotPage is the answer of GET .../snapshots.
type SnapshotPage struct {
	Snapshots  []Snapshot `json:"desktop_snapshots"`
	TotalCount int        `json:"total_count"`
}

// Snapshot is one snapshot of a SnapshotPage.
type Snapshot struct {
	ID                string `json:"snapshot_id"`
	Name              string `json:"snapshot_name"`
	DesktopID         string `json:"desktop_id"`
	DesktopName       string `json:"desktop_name"`
	DesktopSID        string `json:"desktop_sid"`
	DesktopPoolID     string `json:"desktop_pool_id"`
	IsSystemDisk      bool   `json:"is_system_disk"`
	Status            string `json:"status"`
	Process           *int   `json:"process"`
	Description       string `json:"description"`
	CreateTime        Time   `json:"create_time"`
	LastRestoreTime   Time   `json:"last_restore_time"`
	CreateType        string `json:"create_type"`
	RestoreFailReason string `json:"restore_fail_reason"`
}

// Job is the answer of GET .../workspace-jobs/{job_id}.
type Job struct {
	ID           string   `json:"id"`
	Type         string   `json:"job_type"`
	Status       string   `json:"status"`
	ErrorCode    string   `json:"job_error_code"`
	FailReason   string   `json:"fail_reason"`
	BeginTime    Time     `json:"begin_time"`
	EndTime      Time     `json:"end_time"`
	SubJobsTotal int      `json:"sub_jobs_total"`
	SubJobs      []SubJob `json:"sub_jobs"`
}

// SubJob is one part of a Job. Its error code is "error_code", where the
// Job's is "job_error_code".
type SubJob struct {
	ID         string    `json:"id"`
	Type       string    `json:"job_type"`
	Status     string    `json:"status"`
	ErrorCode  string    `json:"error_code"`
	FailReason string    `json:"fail_reason"`
	BeginTime  Time      `json:"begin_time"`
	EndTime    Time      `json:"end_time"`
	Host       string    `json:"host"`
	ProjectID  string    `json:"project_id"`
	JobID      string    `json:"job_id"`
	Process    Progress  `json:"process"`
	Entities   *Entities `json:"entities"`

	// Beside "entities": seen in answers (attach_user, entity, the
	// sub-job's own ip_address) or listed by the vendor's OpenAPI
	// definition (desktop_name, mac_address, message).
	AttachUser  string `json:"attach_user,omitempty"`
	Entity      string `json:"entity,omitempty"`
	IPAddress   string `json:"ip_address,omitempty"`
	DesktopName string `json:"desktop_name,omitempty"`
	MACAddress  string `json:"mac_address,omitempty"`
	Message     string `json:"message,omitempty"`
}

// Entities says what a SubJob acted on.
type Entities struct {
	DesktopID   string `json:"desktop_id"`
	ProductID   string `json:"product_id"`
	UserName    string `json:"user_name"`
	DesktopName string `json:"desktop_name"`
	IPAddress   string `json:"ip_address"`
}

// Progress is a sub-job's "process", a percentage the API sends as a
// number or a string ("50", "50%"). It is informative only, so null, ""
// and anything unreadable decode to 0 rather than an error that would end
// a wait. It encodes as a number.
type Progress int

// UnmarshalJSON implements json.Unmarshaler.
func (p *Progress) UnmarshalJSON(b []byte) error {
	*p = 0
	b = bytes.TrimSpace(b)
	var s string
	if len(b) > 0 && b[0] == '"' {
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
	} else {
		s = string(b)
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f >= 0 && f <= 1e9 {
		*p = Progress(f)
	}
	return nil
}
