package stack_test

import (
	"os"
	"testing"

	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/identity"
)

// The stack gives every program a key of its own, kept across runs, and
// every program all the public keys: a token one signs, the others accept
// as that program's, and as no other's.
func TestEveryProgramGetsItsOwnServiceKey(t *testing.T) {
	dir := t.TempDir()
	signing, verify, err := stack.ServiceKeyFiles(dir, stack.Binaries())
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := stack.ServiceKeyFiles(dir, stack.Binaries())
	if err != nil {
		t.Fatal(err)
	}
	pubs, err := os.ReadFile(verify)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := identity.ParseServiceVerifyKeys(pubs)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range stack.Binaries() {
		file := signing[b.Package]
		if file == "" || again[b.Package] != file {
			t.Fatalf("%s: key file %q, then %q", b.Name, file, again[b.Package])
		}
		pem, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		k, err := identity.ParseServiceKey(pem, "")
		if err != nil {
			t.Fatal(err)
		}
		if k.Name != b.Name || len(keys[k.Name]) != 1 || !keys[k.Name][0].Equal(k.Public) || seen[string(k.Public)] {
			t.Fatalf("%s: key named %q, public keys %d, shared %v", b.Name, k.Name, len(keys[k.Name]), seen[string(k.Public)])
		}
		seen[string(k.Public)] = true
	}
}
