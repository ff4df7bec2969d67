package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Domain is the DNS zone the runner's names live in.
const Domain = "bookwell.test"

// DNS is a small authoritative DNS server on 127.0.0.1 (UDP and TCP) for
// Domain: each name answers with the addresses of the replicas currently
// behind it, as a Kubernetes headless service answers with its ready pods.
// gRPC clients reach it with a target naming it as the authority:
// dns://127.0.0.1:<port>/booking.bookwell.test:9091.
type DNS struct {
	// Addr is the server's host:port.
	Addr string

	mu      sync.Mutex
	records map[string][]string // fqdn -> IPv4 addresses
	udp     *dns.Server
	tcp     *dns.Server
}

// StartDNS serves until Stop.
func StartDNS() (*DNS, error) {
	d := &DNS{records: map[string][]string{}}
	// One port for both: a UDP port whose TCP twin is free.
	var (
		pc   net.PacketConn
		l    net.Listener
		port int
		err  error
	)
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			return nil, err
		}
		port = pc.LocalAddr().(*net.UDPAddr).Port
		if l, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("dns: no port free for both UDP and TCP: %w", err)
	}
	d.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	h := dns.HandlerFunc(d.serve)
	d.udp = &dns.Server{PacketConn: pc, Handler: h}
	d.tcp = &dns.Server{Listener: l, Handler: h}
	started := make(chan error, 2)
	for _, s := range []*dns.Server{d.udp, d.tcp} {
		s.NotifyStartedFunc = func() { started <- nil }
		go func() {
			if err := s.ActivateAndServe(); err != nil {
				started <- err
			}
		}()
	}
	for range 2 {
		if err := <-started; err != nil {
			d.Stop()
			return nil, err
		}
	}
	return d, nil
}

// Set makes name (in Domain, e.g. "booking") answer with ips; none makes it
// answer with no address.
func (d *DNS) Set(name string, ips ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.records[fqdn(name)] = slices.Clone(ips)
}

// Add and Remove change one address of name.
func (d *DNS) Add(name, ip string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !slices.Contains(d.records[fqdn(name)], ip) {
		d.records[fqdn(name)] = append(d.records[fqdn(name)], ip)
	}
}

func (d *DNS) Remove(name, ip string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.records[fqdn(name)] = slices.DeleteFunc(d.records[fqdn(name)], func(x string) bool { return x == ip })
}

// Lookup is what name answers now.
func (d *DNS) Lookup(name string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.records[fqdn(name)])
}

// Target is the gRPC target that resolves name through this server.
func (d *DNS) Target(name string, port int) string {
	return fmt.Sprintf("dns://%s/%s:%d", d.Addr, strings.TrimSuffix(fqdn(name), "."), port)
}

// Resolver is a net.Resolver that asks this server.
func (d *DNS) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, network, d.Addr)
	}}
}

// Stop shuts the server down.
func (d *DNS) Stop() {
	var errs []error
	for _, s := range []*dns.Server{d.udp, d.tcp} {
		if s != nil {
			errs = append(errs, s.Shutdown())
		}
	}
	_ = errors.Join(errs...)
}

func fqdn(name string) string {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if !strings.HasSuffix(name, "."+Domain) && name != Domain {
		name += "." + Domain
	}
	return name + "."
}

// serve answers A queries for known names (TTL 1s); any other question about
// a known name gets an empty answer, an unknown name NXDOMAIN.
func (d *DNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) == 1 {
		q := req.Question[0]
		d.mu.Lock()
		ips, known := d.records[strings.ToLower(q.Name)]
		d.mu.Unlock()
		switch {
		case !known:
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			for _, ip := range ips {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1},
					A: net.ParseIP(ip).To4()})
			}
		}
	}
	_ = w.WriteMsg(m)
}
