// Package workspace is a typed client for the Huawei Cloud Workspace API
// (cloud desktops), version 2.
//
// # Creating a client
//
// [NewClient] takes options: where to send requests ([WithRegion] or
// [WithEndpoint]), the project ([WithProjectID]) and credentials; where
// options conflict, the later one wins. It does no network or file I/O. A
// missing or bad setting is a [*ConfigError].
//
// Package [github.com/hwcloud-go/workspace/config] reads the configuration a
// machine already has (the vendor's HUAWEICLOUD_SDK_* variables, its
// credentials file, the ECS metadata service) into options, under a
// context:
//
//	cfg, err := config.Load(ctx)
//	c, err := workspace.NewClient(cfg.Options()...)
//
//	c, err := workspace.NewClient(
//		workspace.WithRegion("ap-southeast-3"),
//		workspace.WithProjectID(projectID),
//		workspace.WithAccessKey(ak, sk),
//	)
//
// A [Client] is safe for concurrent use by many goroutines. Every call takes
// a [context.Context] first; the context bounds the whole call, retries and
// back-offs included.
//
// # Services
//
// The operations are methods of the client's services, one per part of the
// API; each service has an interface listing its methods, for users' fakes:
//
//   - [Client.DesktopPools] ([DesktopPoolsService], [DesktopPoolsAPI]):
//     [DesktopPoolsService.GetInconsistentStatistics],
//     [DesktopPoolsService.BatchDeleteVolumes] (and
//     [DesktopPoolsService.BatchDeleteVolumesAndWait] for any number of
//     volumes),
//     [DesktopPoolsService.ListScriptExecutionTasks], and the operations
//     that finish their tasks: [DesktopPoolsService.List],
//     [DesktopPoolsService.Get], [DesktopPoolsService.ListDesktops],
//     [DesktopPoolsService.Rebuild], [DesktopPoolsService.BatchAddVolumes]
//     and [DesktopPoolsService.ExecuteScripts].
//   - [Client.Desktops] ([DesktopsService], [DesktopsAPI]):
//     [DesktopsService.CheckImages] and [DesktopsService.List].
//   - [Client.Snapshots] ([SnapshotsService], [SnapshotsAPI]):
//     [SnapshotsService.List], [SnapshotsService.BatchCreate],
//     [SnapshotsService.BatchDelete] and [SnapshotsService.BatchRestore].
//   - [Client.Jobs] ([JobsService], [JobsAPI]): [JobsService.Get],
//     [JobsService.Wait] and [JobsService.ListSubJobs].
//
// [Client.Do] reaches any other operation of the API through the same
// request path (credentials, retries, errors).
//
// # Pages and iterators
//
// A list operation returns one [Page] (its items and the server's total
// count). Its iterator walks every page for you, fetching up to
// [WithConcurrency] pages ahead (8 unless set; the page being yielded
// included) and yielding the items in the API's order, each id once:
// [SnapshotsService.All] and [DesktopPoolsService.AllScriptExecutionTasks]
// return an [iter.Seq2] of items and errors; an error is yielded once and
// ends the sequence. Breaking out of the loop cancels the pages in flight.
//
//	for snap, err := range c.Snapshots.All(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(snap.ID, snap.Name)
//	}
//
// # Jobs
//
// Operations that change state, such as
// [DesktopPoolsService.BatchDeleteVolumes], start a job and return its id.
// [JobsService.Wait] polls the job until it ends, every
// [WaitOptions.Interval] (else the client's [WithWaitInterval], else 10 s),
// for as long as the context allows: it returns the finished [Job], or a
// [*JobFailedError] when the job or one of its sub-jobs failed.
//
// # Errors
//
//   - [*APIError]: any non-2xx answer, with status, error code, message and
//     request id. [errors.Is] matches it against [ErrBadRequest],
//     [ErrUnauthorized], [ErrForbidden], [ErrNotFound], [ErrConflict],
//     [ErrThrottled] and [ErrServer]; the gateway's "no such API" 404
//     matches [ErrNoSuchAPI] instead of [ErrNotFound].
//   - [*ValidationError]: input rejected before any request is sent, naming
//     the field.
//   - [*DecodeError]: a 2xx answer that arrived whole and does not decode (a
//     gateway's HTML page, say), saying what came. It is not retried. A body
//     cut off by the connection is a transport failure, retried for reads.
//   - [ErrUnknownOutcome]: matched by the error of a write that was sent and
//     of which nothing says whether it took effect (no answer, a timeout, a
//     5xx, a 2xx whose body was lost). Any other failed write surely did not
//     take effect; reads never match it.
//   - [*JobFailedError]: a job that failed, from [JobsService.Wait].
//   - An error for which errors.Is(err, context.Canceled) or
//     errors.Is(err, context.DeadlineExceeded) holds when the context ends.
//
// Reads are retried on throttling, server errors and transport failures
// with jittered exponential back-off; state-changing calls only when the
// request cannot have taken effect. [RetryPolicy] ([WithRetryPolicy]) sets
// the budget; [WithRateLimit] keeps a client under a request rate;
// [WithLogger] logs each attempt. No error, log record or printed value
// contains a token, secret key, security token, signature or password.
//
// # Credentials
//
//   - A fixed IAM token: [WithToken].
//   - Tokens fetched when needed: [WithTokenSource], for instance with an
//     IAM password or federated ID-token source of package
//     [github.com/hwcloud-go/workspace/credentials], cached and refreshed
//     before expiry. A [TokenSource] that is also a [TokenInvalidator] gets
//     one fresh-token retry after a 401.
//   - AK/SK request signing: [WithAccessKey], with [WithSecurityToken] for
//     temporary keys.
//   - AK/SK fetched when needed: [WithCredentialsProvider], for instance with
//     the ECS metadata provider of package credentials. A
//     [CredentialsProvider] that is also a [CredentialsInvalidator] gets one
//     retry with fresh keys after a 401.
//
// # Testing code that uses this package
//
// Package [github.com/hwcloud-go/workspace/workspacetest] is an in-memory
// Workspace API on loopback with the real paths, filters, paging, jobs,
// error bodies and signature checks, and fault injection; its Client method
// returns a *Client wired to it, so the code under test runs unchanged.
// For lighter tests, have your code take the service interfaces
// ([SnapshotsAPI] and friends), or give [WithHTTPClient] a mock transport.
package workspace
