package tlsconf_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/tlsconf"
)

// ca issues certificates for the tests.
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T) ca {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return ca{cert: c, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue writes a certificate for name (serial n) and its key into dir.
func (a ca) issue(t *testing.T, dir, name string, n int64) (string, string) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	cert, keyPath := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, keyPath
}

// TestMutualTLS: the server refuses a client without a certificate from the
// CA, accepts one with it, and serves a rotated certificate without a
// restart.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	a := newCA(t)
	caFile := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(caFile, a.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	scert, skey := a.issue(t, dir, "booking.test", 10)
	ccert, ckey := a.issue(t, dir, "gateway", 20)
	srvConf, err := tlsconf.Server(tlsconf.Files{CA: caFile, Cert: scert, Key: skey})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := tls.Listen("tcp", "127.0.0.1:0", srvConf)
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err == nil {
					c.Write([]byte("ok"))
				}
			}()
		}
	}()
	dial := func(f tlsconf.Files) (*x509.Certificate, error) {
		conf, err := tlsconf.Client(f)
		if err != nil {
			return nil, err
		}
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", lis.Addr().String(), conf)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		b := make([]byte, 2)
		if _, err := io.ReadFull(c, b); err != nil {
			return nil, err
		}
		return c.ConnectionState().PeerCertificates[0], nil
	}
	if _, err := dial(tlsconf.Files{CA: caFile, ServerName: "booking.test"}); err == nil {
		t.Fatal("a client without a certificate got through")
	}
	if _, err := dial(tlsconf.Files{Cert: ccert, Key: ckey, ServerName: "booking.test"}); err == nil {
		t.Fatal("a client that does not know the CA trusted the server")
	}
	peer, err := dial(tlsconf.Files{CA: caFile, Cert: ccert, Key: ckey, ServerName: "booking.test"})
	if err != nil || peer.SerialNumber.Int64() != 10 {
		t.Fatalf("mutual TLS: %v (serial %v)", err, peer)
	}
	// cert-manager renews: the files change, the server presents the new one.
	time.Sleep(10 * time.Millisecond) // a distinct modification time
	a.issue(t, dir, "booking.test", 11)
	peer, err = dial(tlsconf.Files{CA: caFile, Cert: ccert, Key: ckey, ServerName: "booking.test"})
	if err != nil || peer.SerialNumber.Int64() != 11 {
		t.Fatalf("after rotation: %v (serial %v), want the new certificate", err, peer)
	}
	if _, err := tlsconf.Client(tlsconf.Files{Cert: ccert}); err == nil {
		t.Fatal("a certificate without its key was accepted")
	}
}
