// Command devtoken mints a bearer token for the local stack:
//
//	go run ./deploy/cmd/devtoken -sub mentor-1 -role mentor
//
// It signs with AUTH_JWT_SECRET, or the development secret the stack uses
// when that is not set. Never use the development secret in production.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "devtoken:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("devtoken", flag.ContinueOnError)
	sub := fs.String("sub", "", "the user id (subject)")
	role := fs.String("role", "mentee", "mentee, mentor or admin")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sub == "" {
		return fmt.Errorf("-sub is required")
	}
	if *role == string(identity.RoleService) {
		return fmt.Errorf("service tokens are minted by the services themselves")
	}
	secret := os.Getenv("AUTH_JWT_SECRET")
	if secret == "" {
		secret = identity.DevSecret
	}
	tok, err := identity.Mint(secret, identity.Principal{Subject: *sub, Role: identity.Role(*role)}, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}
