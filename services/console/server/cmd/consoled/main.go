// Command consoled serves bookwell's web console: the built app from
// services/console/dist (CONSOLE_DIST_DIR), the REST gateway behind the same
// origin, sign-in with the identity provider (CONSOLE_OIDC_*: authorization
// code with PKCE, in the browser) and, in development only
// (CONSOLE_DEV_SIGNIN=true with BOOKWELL_DEV=true), sign-in with development
// tokens.
package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/services/console/server/internal/web"
)

type config struct {
	service.Config
	Console web.Config
}

func main() { service.Main("consoled", config{}, build) }

func build(ctx context.Context, p *service.Process, c config) error {
	var provider *web.Discovery
	oidc := &c.Console.OIDC
	if oidc.Enabled() {
		if oidc.Issuer == "" {
			oidc.Issuer = c.Auth.Issuer
		}
		var err error
		if provider, err = web.Discover(ctx, http.DefaultClient, oidc.Issuer); err != nil {
			return err
		}
	} else if !c.Auth.Dev {
		return errors.New("configuration: CONSOLE_OIDC_CLIENT_ID is not set: outside development mode people sign in to the console with the identity provider (CONSOLE_OIDC_CLIENT_ID, CONSOLE_OIDC_ISSUER; docs/console.md)")
	}
	h, err := web.New(c.Console, c.Auth.DevSigningSecret(), provider, p.Verifier(), p.Log)
	if err != nil {
		return err
	}
	p.Log.Info("console", "dev_sign_in", c.Console.DevSignIn, "oidc_sign_in", oidc.Enabled(), "oidc_issuer", oidc.Issuer, "dist", c.Console.DistDir)
	p.HTTP(c.Console.HTTPAddr, h)
	return nil
}
