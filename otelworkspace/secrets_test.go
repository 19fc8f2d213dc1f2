package otelworkspace_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/otelworkspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// sniffer records the credential headers each request leaves with: the
// secrets that must never be recorded.
type sniffer struct {
	mu      sync.Mutex
	secrets map[string]bool
}

func (s *sniffer) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	for _, name := range []string{"X-Auth-Token", "X-Security-Token"} {
		if v := r.Header.Get(name); v != "" {
			s.secrets[v] = true
		}
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, sig, ok := strings.Cut(auth, "Signature=")
		if ok {
			s.secrets[sig] = true
		}
	}
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// everything renders every span (names, attributes, status, events, links)
// and every metric data point's attributes as text.
func everything(spans tracetest.SpanStubs, rm metricdata.ResourceMetrics) string {
	var b strings.Builder
	for _, s := range spans {
		fmt.Fprintf(&b, "%s|%v|%v|%v|%v\n", s.Name, s.Attributes, s.Status, s.Events, s.Links)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			fmt.Fprintf(&b, "%s %+v\n", m.Name, m.Data)
		}
	}
	return b.String()
}

// No token, secret key, security token or signature is ever recorded,
// whether the call succeeds, is refused (401) or meets a server that echoes
// the credentials in its error message; nor the query string.
func TestNothingSecretIsRecorded(t *testing.T) {
	t.Parallel()
	const querySecret = "query-value-p4ss"
	creds := []struct {
		name string
		opts func(srv *workspacetest.Server) []workspace.Option
	}{
		{"token", func(srv *workspacetest.Server) []workspace.Option {
			return []workspace.Option{workspace.WithToken(srv.Token)}
		}},
		{"aksk with security token", func(srv *workspacetest.Server) []workspace.Option {
			return []workspace.Option{workspace.WithAccessKey(srv.AccessKey, srv.SecretKey), workspace.WithSecurityToken(srv.SecurityToken)}
		}},
		{"wrong token", func(srv *workspacetest.Server) []workspace.Option {
			return []workspace.Option{workspace.WithToken("wrong-" + srv.Token)}
		}},
	}
	for _, cr := range creds {
		t.Run(cr.name, func(t *testing.T) {
			t.Parallel()
			srv := workspacetest.NewServer(workspacetest.WithSecurityToken("sec-token-SECRET-0123456789"))
			defer srv.Close()
			seedSnapshots(srv, 2)
			sn := &sniffer{secrets: map[string]bool{srv.Token: true, srv.SecretKey: true, srv.SecurityToken: true}}
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			opts := append(cr.opts(srv),
				workspace.WithHTTPClient(&http.Client{Transport: sn}),
				otelworkspace.WithTracerProvider(tp), otelworkspace.WithMeterProvider(mp))
			c := srv.Client(opts...)
			ctx := context.Background()

			_, _ = c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{SnapshotName: querySecret})
			srv.InjectFault(workspacetest.OpAny, 1, workspacetest.Fault{Status: 400, Message: "you sent " + strings.Join(keys(sn), " ")})
			_, err := c.Jobs.Get(ctx, "job-1")
			require.Error(t, err)
			srv.InjectFault(workspacetest.OpAny, 3, workspacetest.Fault{Status: 503, Message: "echo " + strings.Join(keys(sn), " ")})
			_, _ = c.Desktops.CheckImages(ctx, []string{"desk-1"})
			_, _ = c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{
				Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}},
			})

			var rm metricdata.ResourceMetrics
			require.NoError(t, reader.Collect(ctx, &rm))
			text := everything(exp.GetSpans(), rm)
			require.NotEmpty(t, exp.GetSpans())
			secrets := keys(sn)
			require.GreaterOrEqual(t, len(secrets), 3)
			for _, s := range secrets {
				require.NotEmpty(t, s)
				assert.NotContains(t, text, s)
			}
			assert.NotContains(t, text, querySecret)
			assert.NotContains(t, text, "snapshot_name")
		})
	}
}

func keys(s *sniffer) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.secrets))
	for k := range s.secrets {
		out = append(out, k)
	}
	return out
}
