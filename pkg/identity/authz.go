package identity

import (
	"context"
	"slices"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Errors of authorization, the same in every service so a front end can
// switch on them. A resource whose mere existence would leak (someone else's
// booking) is answered with the service's own not-found error instead.
var (
	ErrNotAllowedForRole = apperr.New(apperr.KindPermissionDenied, "NOT_ALLOWED_FOR_ROLE", "your role may not do this")
	ErrNotYourResource   = apperr.New(apperr.KindPermissionDenied, "NOT_YOUR_RESOURCE", "this belongs to someone else")
)

// Is reports whether p has one of roles.
func (p Principal) Is(roles ...Role) bool { return slices.Contains(roles, p.Role) }

// Require returns the caller when they are an admin or have one of roles,
// and ErrNotAllowedForRole otherwise. Require(ctx) admits admins only.
func Require(ctx context.Context, roles ...Role) (Principal, error) {
	p, err := From(ctx)
	if err != nil {
		return p, err
	}
	if p.Role == RoleAdmin || p.Is(roles...) {
		return p, nil
	}
	return p, ErrNotAllowedForRole
}

// RequireSelf returns the caller when they are an admin, or have one of roles
// and are the user named id; a caller with another role is
// ErrNotAllowedForRole, one with the role but another subject
// ErrNotYourResource.
func RequireSelf(ctx context.Context, id string, roles ...Role) (Principal, error) {
	p, err := Require(ctx, roles...)
	if err != nil || p.Role == RoleAdmin {
		return p, err
	}
	if p.Subject != id {
		return p, ErrNotYourResource
	}
	return p, nil
}

// Credentials authenticate every call of a gRPC client as one principal,
// with a development token minted per call (the service role with the
// development service key); tests and tools use them.
type Credentials struct {
	Secret    string
	Principal Principal
}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (c Credentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	tok, err := DevToken(c.Secret, c.Principal, time.Minute, time.Now())
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (Credentials) RequireTransportSecurity() bool { return false }
