package workspace

import "strings"

// JobStatus is the status of a Job or a SubJob. The vendor does not
// enumerate the values; the constants are those the API is seen to send.
// Decoding keeps any value as is, and an unknown one counts as still running.
type JobStatus string

// Job statuses the API is seen to send. Done and Failed compare them
// ignoring case and surrounding space.
const (
	JobStatusWaiting  JobStatus = "WAITING"  // pending: queued
	JobStatusInit     JobStatus = "INIT"     // pending: created, not started
	JobStatusRunning  JobStatus = "RUNNING"  // pending: in progress
	JobStatusSuccess  JobStatus = "SUCCESS"  // done: succeeded
	JobStatusComplete JobStatus = "COMPLETE" // done: succeeded
	JobStatusFailed   JobStatus = "FAILED"   // done: failed
	JobStatusFail     JobStatus = "FAIL"     // done: failed
)

// Synonyms Done and Failed also accept, so that a job reporting one of them
// is judged as before. They are not exported: the API has not been seen to
// send them, and a constant would suggest that it does.
const (
	jobStatusCompleted JobStatus = "COMPLETED" // done: succeeded
	jobStatusFinish    JobStatus = "FINISH"    // done: succeeded
	jobStatusFinished  JobStatus = "FINISHED"  // done: succeeded
	jobStatusError     JobStatus = "ERROR"     // done: failed
)

// Done reports whether a job or sub-job in status s is finished,
// successfully or not: it needs no more polling.
func (s JobStatus) Done() bool { return s.succeeded() || s.Failed() }

// Failed reports whether s is a failure status (FAILED, FAIL, or the
// synonym ERROR).
func (s JobStatus) Failed() bool {
	switch s.normal() {
	case JobStatusFailed, JobStatusFail, jobStatusError:
		return true
	}
	return false
}

// succeeded reports whether s is a success status (SUCCESS, COMPLETE, or
// the synonyms COMPLETED, FINISH, FINISHED).
func (s JobStatus) succeeded() bool {
	switch s.normal() {
	case JobStatusSuccess, JobStatusComplete, jobStatusCompleted, jobStatusFinish, jobStatusFinished:
		return true
	}
	return false
}

// normal is s trimmed and upper-cased, for comparison with the constants.
func (s JobStatus) normal() JobStatus {
	return JobStatus(strings.ToUpper(strings.TrimSpace(string(s))))
}

// Done reports whether the job needs no more polling: its own status is
// done, successfully or not. A nil job is not done.
func (j *Job) Done() bool {
	return j != nil && j.Status.Done()
}

// Failed reports whether the job failed, or is done with a sub-job that
// did not succeed (a partial failure). A nil job has not failed.
func (j *Job) Failed() bool {
	if j == nil {
		return false
	}
	st := j.Status
	if st.Failed() {
		return true
	}
	return st.Done() && j.failedSubJobs() > 0
}

// failedSubJobs counts the sub-jobs that did not succeed.
func (j *Job) failedSubJobs() int {
	n := 0
	for i := range j.SubJobs {
		if !j.SubJobs[i].Status.succeeded() {
			n++
		}
	}
	return n
}
