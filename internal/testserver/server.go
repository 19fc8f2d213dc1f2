package testserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"time"
)

// testCert is a self-signed certificate for 127.0.0.1, made once, and a
// pool that trusts it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "testserver"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

// conns is what both servers share: a listener, the connections it
// accepted (closed, and their goroutines waited for, at shutdown) and a
// lock that also guards each server's records.
type conns struct {
	ln net.Listener
	wg sync.WaitGroup

	mu     sync.Mutex
	closed bool
	all    []net.Conn
}

// start accepts connections on ln and serves each with serve (given the
// connection's index, in order of acceptance) in a goroutine of its own.
// add, when not nil, runs under mu as the connection is taken on.
func (cs *conns) start(ln net.Listener, add func(c net.Conn), serve func(idx int, c net.Conn)) {
	cs.ln = ln
	cs.wg.Add(1)
	go func() {
		defer cs.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			cs.mu.Lock()
			if cs.closed {
				cs.mu.Unlock()
				c.Close()
				return
			}
			idx := len(cs.all)
			cs.all = append(cs.all, c)
			if add != nil {
				add(c)
			}
			cs.wg.Add(1)
			cs.mu.Unlock()
			go func() {
				defer cs.wg.Done()
				defer c.Close()
				serve(idx, c)
			}()
		}
	}()
}

// shutdown closes the listener and every connection and waits for the
// goroutines serving them.
func (cs *conns) shutdown() {
	cs.ln.Close()
	cs.mu.Lock()
	cs.closed = true
	for _, c := range cs.all {
		c.Close()
	}
	cs.mu.Unlock()
	cs.wg.Wait()
}

// count is how many connections were accepted.
func (cs *conns) count() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.all)
}
