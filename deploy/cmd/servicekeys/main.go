// Command servicekeys makes the services' own keys for a deployment: an
// Ed25519 private key per process (<dir>/<process>.pem, the process's
// SERVICE_SIGNING_KEY) and every public key in <dir>/verify-keys.pem (every
// process's SERVICE_VERIFY_KEYS), each named by a "Service" PEM header:
//
//	go run ./deploy/cmd/servicekeys -out keys/
//
// It prints the kubectl commands that make the Helm chart's Secrets from
// them. A key that exists is kept, so running it again after adding a
// process only adds that one's (rotate a key by deleting its file).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bookwell/bookwell/deploy/stack"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "servicekeys:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("servicekeys", flag.ContinueOnError)
	out := fs.String("out", "", "the directory to write the keys in")
	prefix := fs.String("secret-prefix", "bookwell-service-key", "the Helm chart's auth.serviceKeys.signingSecretPrefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	signing, verify, err := stack.ServiceKeyFilesIn(*out, stack.Binaries())
	if err != nil {
		return err
	}
	for _, b := range stack.Binaries() {
		if f := signing[b.Package]; f != "" {
			fmt.Printf("kubectl create secret generic %s-%s --from-file=signing-key.pem=%s\n", *prefix, b.Name, f)
		}
	}
	fmt.Printf("kubectl create secret generic bookwell-service-keys --from-file=verify-keys.pem=%s\n", verify)
	return nil
}
