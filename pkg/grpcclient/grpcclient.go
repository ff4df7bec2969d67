// Package grpcclient connects one bookwell service to another: plaintext on
// the loopback or a private network, with a service token on every call.
package grpcclient

import (
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/bookwell/bookwell/pkg/identity"
)

// Dial returns a connection to addr for the calling service name; it connects
// lazily and reconnects by itself when the other side restarts.
func Dial(addr, name, secret string) (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(identity.ServiceCredentials{Secret: secret, Name: name}),
	)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	return conn, nil
}
