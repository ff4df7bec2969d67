package stack

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/bookwell/bookwell/pkg/identity"
)

// ServiceKeyFiles gives every program among binaries its own service key
// (the Ed25519 key it signs its calls to other services with), made once in
// <state>/service-keys/<program>.pem and kept, and writes every program's
// public key to <state>/service-keys/verify-keys.pem. A program is a
// binary's Package: replicas of one share its key. It returns the key file
// of each program and the public keys' file.
func ServiceKeyFiles(stateDir string, binaries []Binary) (signing map[string]string, verify string, err error) {
	return ServiceKeyFilesIn(filepath.Join(stateDir, "service-keys"), binaries)
}

// ServiceKeyFilesIn is ServiceKeyFiles with the keys in dir itself.
func ServiceKeyFilesIn(dir string, binaries []Binary) (signing map[string]string, verify string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	signing = map[string]string{}
	var pubs [][]byte
	for _, b := range binaries {
		name := path.Base(b.Package)
		if _, done := signing[b.Package]; done {
			continue
		}
		file := filepath.Join(dir, name+".pem")
		pem, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			var k []byte
			_, k, _, err = identity.GenerateServiceKey(name)
			if err == nil {
				err = os.WriteFile(file, k, 0o600)
			}
			pem = k
		}
		if err != nil {
			return nil, "", fmt.Errorf("service key of %s: %w", name, err)
		}
		k, err := identity.ParseServiceKey(pem, name)
		if err != nil {
			return nil, "", fmt.Errorf("service key of %s (%s): %w", name, file, err)
		}
		pub, err := k.PublicPEM()
		if err != nil {
			return nil, "", err
		}
		signing[b.Package] = file
		if !slices.ContainsFunc(pubs, func(p []byte) bool { return bytes.Equal(p, pub) }) {
			pubs = append(pubs, pub)
		}
	}
	verify = filepath.Join(dir, "verify-keys.pem")
	return signing, verify, os.WriteFile(verify, bytes.Join(pubs, nil), 0o644)
}

// serviceKeyEnv gives each binary its program's key and all of them every
// public key, unless the environment names keys of its own.
func serviceKeyEnv(stateDir string, env map[string]string, binaries []Binary) ([]Binary, map[string]string, error) {
	for _, k := range []string{"SERVICE_SIGNING_KEY", "SERVICE_VERIFY_KEYS"} {
		for _, v := range []string{k, k + "_FILE"} {
			if env[v] != "" || os.Getenv(v) != "" {
				return binaries, nil, nil
			}
		}
	}
	// Every program's key, not only those started here: a stack started
	// with some of them (make dev's -only) still trusts the others.
	signing, verify, err := ServiceKeyFiles(stateDir, append(Binaries(), binaries...))
	if err != nil {
		return nil, nil, err
	}
	out := make([]Binary, len(binaries))
	for i, b := range binaries {
		b.Env = maps.Clone(b.Env)
		if b.Env == nil {
			b.Env = map[string]string{}
		}
		b.Env["SERVICE_SIGNING_KEY_FILE"] = signing[b.Package]
		out[i] = b
	}
	return out, map[string]string{"SERVICE_VERIFY_KEYS_FILE": verify}, nil
}
