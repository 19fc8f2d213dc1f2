package workspace

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 8: zero values answer with an error, never a nil-pointer
// panic.
func TestHostileZeroValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var zc Client
	calls := map[string]func() error{
		"Client{}.DesktopPools.GetInconsistentStatistics": func() error {
			_, err := zc.DesktopPools.GetInconsistentStatistics(ctx, "p")
			return err
		},
		"new(DesktopPoolsService).BatchDeleteVolumes": func() error {
			_, err := new(DesktopPoolsService).BatchDeleteVolumes(ctx, "p", &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "v"}}})
			return err
		},
		"new(DesktopPoolsService).ListScriptExecutionTasks": func() error {
			_, err := new(DesktopPoolsService).ListScriptExecutionTasks(ctx, nil)
			return err
		},
		"new(DesktopPoolsService).AllScriptExecutionTasks": func() error {
			for _, err := range new(DesktopPoolsService).AllScriptExecutionTasks(ctx, nil) {
				return err
			}
			return nil
		},
		"new(DesktopsService).CheckImages": func() error {
			_, err := new(DesktopsService).CheckImages(ctx, []string{"d"})
			return err
		},
		"new(SnapshotsService).List": func() error {
			_, err := new(SnapshotsService).List(ctx, nil)
			return err
		},
		"Client{}.Snapshots.All": func() error {
			for _, err := range zc.Snapshots.All(ctx, nil) {
				return err
			}
			return nil
		},
		"new(JobsService).Get": func() error {
			_, err := new(JobsService).Get(ctx, "j")
			return err
		},
		"new(JobsService).Wait": func() error {
			_, err := new(JobsService).Wait(ctx, "j", nil)
			return err
		},
		"Client{}.Jobs.Wait": func() error {
			_, err := zc.Jobs.Wait(ctx, "j", nil)
			return err
		},
		"IAMTokenSource{}.Token": func() error {
			_, err := new(IAMTokenSource).Token(ctx)
			return err
		},
		"(*IAMTokenSource)(nil).Token": func() error {
			_, err := (*IAMTokenSource)(nil).Token(ctx)
			return err
		},
		"MetadataCredentialsProvider{}.Credentials": func() error {
			_, err := new(MetadataCredentialsProvider).Credentials(ctx)
			return err
		},
		"IDTokenSource{}.Token": func() error {
			_, err := new(IDTokenSource).Token(ctx)
			return err
		},
		"(*IDTokenSource)(nil).Token": func() error {
			_, err := (*IDTokenSource)(nil).Token(ctx)
			return err
		},
		"(*MetadataCredentialsProvider)(nil).Credentials": func() error {
			_, err := (*MetadataCredentialsProvider)(nil).Credentials(ctx)
			return err
		},
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		assert.Error(t, err, name)
	}
	require.NotPanics(t, func() {
		new(IAMTokenSource).Invalidate("x")
		(*IAMTokenSource)(nil).Invalidate("x")
		_ = zc.String()
		_ = new(IAMTokenSource).String()
		_ = new(MetadataCredentialsProvider).String()
		new(IDTokenSource).Invalidate("x")
		(*IDTokenSource)(nil).Invalidate("x")
		_ = new(IDTokenSource).String()
		_ = (*IDTokenSource)(nil).String()
		_ = new(ConfigError).Error()
	})
}
