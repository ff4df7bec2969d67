// Package stack brings up the pieces of a local bookwell stack: Postgres, NATS
// JetStream, a Temporal dev server, and the bookwell binaries under a small
// supervisor. `make dev` (deploy/cmd/devstack) and the end-to-end tests use it.
//
// Each of Postgres, NATS and Temporal is resolved the same way: the address in
// the environment variable every service reads if it is set, else a server
// already answering on the usual local port, else one this package starts
// with its state kept in a folder, so a second run keeps the data.
package stack

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// RepoRoot is the nearest folder at or above the working directory that holds
// a go.work file: the root of the bookwell checkout.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory: run from inside the bookwell checkout")
		}
		dir = parent
	}
}

// FreePort returns a TCP port free on 127.0.0.1 right now, below the
// kernel's ephemeral range (32768 and up on Linux) and not handed out before
// by this process. A port the kernel picks for a listener on port 0 comes
// from the ephemeral range, which outgoing connections use too: between the
// pick and the server's own listen, a connection's source port could take it
// ("address already in use"), and a busy test machine makes thousands.
func FreePort() (int, error) {
	ports, err := FreePortsOn(1, "127.0.0.1")
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// FreePortsOn returns n distinct ports, each free on every one of ips at
// once, below the ephemeral range and never handed out before by this
// process (see FreePort).
func FreePortsOn(n int, ips ...string) ([]int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	var out []int
	for tries := 0; len(out) < n; tries++ {
		if tries > 1000*n {
			return nil, fmt.Errorf("no %d free ports below %d on %v", n, ephemeralStart, ips)
		}
		port := lowPortMin + rand.IntN(ephemeralStart-lowPortMin)
		if handedOut.ports[port] || !freeOn(port, ips) {
			continue
		}
		handedOut.ports[port] = true
		out = append(out, port)
	}
	return out, nil
}

const (
	lowPortMin     = 20000
	ephemeralStart = 32768
)

var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freeOn reports whether port can be listened on at every one of ips.
func freeOn(port int, ips []string) bool {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for _, ip := range ips {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			return false
		}
		held = append(held, l)
	}
	return true
}

// portFree reports whether nothing listens on 127.0.0.1:port.
func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// preferredPort is port if it is free, else a free one.
func preferredPort(port int) (int, error) {
	if portFree(port) {
		return port, nil
	}
	return FreePort()
}

// dialable reports whether something accepts TCP connections on addr.
func dialable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
