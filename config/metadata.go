package config

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hwcloud-go/workspace/credentials"
	"github.com/hwcloud-go/workspace/internal/credcall"
	"github.com/hwcloud-go/workspace/internal/envnames"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// metadataBound is the most time Load gives the metadata service within
// its context: off an ECS instance, Load fails this fast.
const metadataBound = 2 * time.Second

// defaultMetadataEndpoint is the metadata service asked when neither
// WithMetadataEndpoint nor HUAWEICLOUD_SDK_METADATA_ENDPOINT names one.
// A variable only so that this package's tests can point it at a loopback
// trap: no test may reach the real link-local address.
var defaultMetadataEndpoint = credcall.MetadataEndpoint

// metadataFound asks the ECS metadata service for the instance's project
// id and region and its temporary keys, within metadataBound. A nil found
// means the service gave nothing; note says why.
func (l *loader) metadataFound(ctx context.Context) (*found, string) {
	endpoint := l.opts.metadataEndpoint
	if endpoint == "" {
		endpoint = l.env(envnames.MetadataEndpoint)
	}
	if endpoint == "" {
		endpoint = defaultMetadataEndpoint
	}
	note := "the ECS metadata service at " + pipeline.ShownURL(endpoint)
	// Load's reads and the provider's share one client; where Load made
	// it (no WithHTTPClient), its kept-alive connections are closed when
	// Load is done with them, so that none outlives Load (the provider
	// dials again at its next refresh).
	hc := credcall.MetadataHTTPClient(l.opts.httpClient)
	kept := false
	if l.opts.httpClient == nil {
		// Where Load drops the provider, its read of the keys may still
		// be under way (a source's fetch outlives the context of the
		// caller that started it, for the next caller): closing the
		// connections ends it with Load.
		conns := trackConns(hc)
		defer func() { conns.finish(!kept) }()
		defer hc.CloseIdleConnections()
	}
	p, err := credentials.NewMetadataProvider(credentials.MetadataConfig{Endpoint: endpoint, HTTPClient: hc})
	if err != nil {
		return nil, note + " (" + strings.TrimPrefix(err.Error(), "workspace: ") + ")"
	}
	origin, prefix, _ := credcall.ParseEndpoint("endpoint", endpoint) // checked by NewMetadataProvider
	md := credcall.NewMetadataClient(origin+prefix, credcall.NewService(hc), credcall.MetadataSessionTTL)
	bounded, cancel := context.WithTimeout(ctx, metadataBound)
	defer cancel()
	info, err := md.InstanceInfo(bounded)
	if err != nil {
		return nil, note + " (" + metadataFailure(ctx, bounded, err) + ")"
	}
	if _, err := p.Credentials(bounded); err != nil {
		return nil, note + " (" + metadataFailure(ctx, bounded, err) + ")"
	}
	kept = true
	infoURL := pipeline.ShownURL(endpoint) + credcall.MetadataInfoPath
	return &found{
		name:      "the ECS metadata service",
		projectID: setting{value: info.ProjectID, from: "project_id of " + infoURL},
		region:    setting{value: info.RegionID, from: "region_id of " + infoURL},
		provider:  p,
	}, note
}

// metadataFailure says briefly why the metadata service gave nothing:
// the caller's context ctx ended, or its bound did, or err.
func metadataFailure(ctx, bounded context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "stopped: " + ctx.Err().Error()
	case bounded.Err() != nil:
		return "no answer within " + metadataBound.String()
	}
	return strings.TrimPrefix(err.Error(), "workspace: ")
}

// connSet is the connections a transport of Load's own dialed while Load
// ran.
type connSet struct {
	mu    sync.Mutex
	conns []net.Conn
	done  bool // Load is done: no more tracking
}

// trackConns records the connections hc's transport (new, unused, made by
// Load) dials from now until finish.
func trackConns(hc *http.Client) *connSet {
	s := &connSet{}
	t, ok := hc.Transport.(*http.Transport)
	if !ok {
		return s
	}
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return c, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.done {
			s.conns = append(s.conns, c)
		}
		return c, nil
	}
	return s
}

// finish stops the tracking and, with abort, closes every connection
// tracked, ending any request still under way on one.
func (s *connSet) finish(abort bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	if abort {
		for _, c := range s.conns {
			_ = c.Close()
		}
	}
	s.conns = nil
}
