// Package grpcclient connects one bookwell service to another: plaintext on
// the loopback or a private network, with a service token on every call,
// and every error a call returns decoded into the application error it
// carries (apperr/grpcstatus), so callers match sentinels with errors.Is.
package grpcclient

import (
	"crypto/tls"
	"fmt"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/telemetry"
)

// serviceConfig balances calls round-robin over every address the target
// resolves to: with dns:///<headless service>:<port>, every ready replica.
const serviceConfig = `{"loadBalancingConfig": [{"round_robin": {}}]}`

// Keepalive pings an idle connection every 20 s and drops it when a ping is
// not answered in 5 s, so a replica that vanished without closing its
// connections (a node lost) is noticed and skipped. Servers allow it
// (grpcserver.Keepalive).
var Keepalive = keepalive.ClientParameters{Time: 20 * time.Second, Timeout: 5 * time.Second, PermitWithoutStream: true}

// Dial returns a connection to addr for the calling service, whose key
// signs a token for its calls; it connects
// lazily and reconnects by itself when the other side restarts. addr is a
// gRPC target: host:port, or dns:///name:port to balance over every address
// name has. With tlsConf the connection uses TLS (mutual when it carries a
// client certificate), else plaintext.
func Dial(addr string, key *identity.ServiceKey, tlsConf *tls.Config) (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient(addr, append(Transport(tlsConf),
		grpc.WithPerRPCCredentials(identity.ServiceCredentials{Key: key}),
		grpc.WithChainUnaryInterceptor(grpcstatus.UnaryClientInterceptor()),
	)...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	return conn, nil
}

// Transport is how every connection between bookwell processes is made: TLS
// when tlsConf is set (else plaintext), round-robin over every address of the
// target, keepalives, RED metrics of the calls, and a client span per call that carries the caller's
// trace to the server (otelgrpc; health checks are not traced). The gateway, which forwards its callers' tokens rather
// than a service token, dials with these alone.
func Transport(tlsConf *tls.Config) []grpc.DialOption {
	creds := insecure.NewCredentials()
	if tlsConf != nil {
		creds = credentials.NewTLS(tlsConf)
	}
	return []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultServiceConfig(serviceConfig),
		grpc.WithKeepaliveParams(Keepalive),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithFilter(filters.Not(filters.HealthCheck())))),
		grpc.WithChainUnaryInterceptor(telemetry.GRPCClientMetrics().UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(telemetry.GRPCClientMetrics().StreamClientInterceptor()),
	}
}
