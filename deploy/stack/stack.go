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
	"net"
	"os"
	"path/filepath"
	"strconv"
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

// FreePort asks the kernel for a TCP port free on 127.0.0.1 right now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
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
