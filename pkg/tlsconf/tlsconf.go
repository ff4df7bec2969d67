// Package tlsconf builds TLS configurations from PEM files, the way
// Kubernetes Secrets and cert-manager hand them to a pod: a CA bundle, a
// certificate and its key. Certificates are read again when their files
// change, so a rotated certificate is used without a restart.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Files names the PEM files of one TLS setup; empty means not given.
type Files struct {
	// CA verifies the other side: the server's certificate for a client
	// (default: the system's roots), clients' certificates for a server
	// (which then requires them: mutual TLS).
	CA string
	// Cert and Key are this side's certificate (chain) and private key.
	Cert, Key string
	// ServerName is the name a client expects in the server's certificate,
	// when it is not the host it dials.
	ServerName string
}

// Given reports whether any file is named.
func (f Files) Given() bool { return f.CA != "" || f.Cert != "" || f.Key != "" }

func (f Files) check() error {
	if (f.Cert == "") != (f.Key == "") {
		return errors.New("tls: a certificate needs its key and a key its certificate")
	}
	return nil
}

// Client is a client's configuration: the server is verified against CA
// (or the system's roots), and Cert/Key, when given, are presented.
func Client(f Files) (*tls.Config, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: f.ServerName}
	if f.CA != "" {
		pool, err := loadPool(f.CA)
		if err != nil {
			return nil, err
		}
		c.RootCAs = pool
	}
	if f.Cert != "" {
		kp, err := newKeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, err
		}
		c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return kp.get() }
	}
	return c, nil
}

// Server is a server's configuration: it presents Cert/Key (required) and,
// when CA is given, requires clients to present a certificate it signed.
func Server(f Files) (*tls.Config, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.Cert == "" {
		return nil, errors.New("tls: a server needs a certificate and its key")
	}
	kp, err := newKeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, err
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return kp.get() }}
	if f.CA != "" {
		pool, err := loadPool(f.CA)
		if err != nil {
			return nil, err
		}
		c.ClientCAs = pool
		c.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return c, nil
}

func loadPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tls: CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("tls: CA %s holds no PEM certificate", path)
	}
	return pool, nil
}

// keyPair is a certificate and key read again when either file changes.
type keyPair struct {
	cert, key string

	mu      sync.Mutex
	loaded  *tls.Certificate
	modTime [2]time.Time
}

func newKeyPair(cert, key string) (*keyPair, error) {
	kp := &keyPair{cert: cert, key: key}
	if _, err := kp.get(); err != nil {
		return nil, err
	}
	return kp, nil
}

func (kp *keyPair) get() (*tls.Certificate, error) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	var mt [2]time.Time
	for i, p := range []string{kp.cert, kp.key} {
		st, err := os.Stat(p)
		if err != nil {
			if kp.loaded != nil {
				return kp.loaded, nil // mid-rotation: keep the last good pair
			}
			return nil, fmt.Errorf("tls: %w", err)
		}
		mt[i] = st.ModTime()
	}
	if kp.loaded != nil && mt == kp.modTime {
		return kp.loaded, nil
	}
	c, err := tls.LoadX509KeyPair(kp.cert, kp.key)
	if err != nil {
		if kp.loaded != nil {
			return kp.loaded, nil
		}
		return nil, fmt.Errorf("tls: %w", err)
	}
	kp.loaded, kp.modTime = &c, mt
	return kp.loaded, nil
}
