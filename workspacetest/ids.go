package workspacetest

import (
	"fmt"
	"math/rand/v2"
)

// idKind is what a generated id names. Each kind has its own sequence, so
// an id of one kind never turns up as an id of another: a job id from one
// test is not a pool id (or request id) in the next.
type idKind uint64

const (
	idPool idKind = iota
	idVolume
	idDesktop
	idImage
	idSnapshot
	idTask
	idJob
	idSubJob
	idRequest
	idSessionToken // the metadata fake's session tokens
	numIDKinds
)

// idGen hands out UUID-shaped ids (version 4 layout), one pseudo-random
// sequence per kind, all derived from one seed.
type idGen struct {
	streams [numIDKinds]*rand.Rand
}

func newIDGen(seed uint64) *idGen {
	g := &idGen{}
	for k := range g.streams {
		// A distinct second PCG word per kind: unrelated sequences.
		g.streams[k] = rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15*uint64(k+1)))
	}
	return g
}

// next returns a new id of kind k. Not safe for concurrent use: the
// server calls it with its mutex held.
func (g *idGen) next(k idKind) string {
	r := g.streams[k]
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, b>>52&0xfff, b&0xffffffffffff)
}

// newIDLocked returns a new id of kind k; s.mu is held.
func (s *Server) newIDLocked(k idKind) string { return s.ids.next(k) }

// WithIDSeed makes the ids the server generates (for pools, volumes,
// desktops, images, snapshots, tasks and jobs added without one, and for
// request ids) reproducible: two servers with the same seed hand out the
// same ids in the same order. Without it every server draws a random
// seed, so ids differ between servers and between runs. Demo data
// (WithDemoData) has fixed ids whatever the seed.
func WithIDSeed(seed uint64) Option {
	return Option{func(c *serverConfig) { c.idSeed, c.idSeedSet = seed, true }}
}
