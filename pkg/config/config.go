// Package config loads a process's configuration from environment variables
// named by `env` tags (github.com/caarlos0/env). A field whose variable is
// unset keeps the value it had, so a policy's defaults are written once, in
// the Go value the struct starts from; `envDefault` tags serve plain settings
// (addresses, URLs) that have no such value.
//
// Every variable X may instead be given as X_FILE, the path of a file holding
// the value (a mounted Kubernetes Secret, a Docker secret), so that secrets
// stay out of the environment. A trailing newline in the file is dropped.
// Setting both X and X_FILE is an error.
package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/caarlos0/env/v11"
)

// Load overwrites the fields of *cfg whose variables are set (or that have
// an envDefault), and returns an error naming every variable that is
// malformed.
func Load[T any](cfg *T) error {
	environ, err := withFiles(cfg)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if err := env.ParseWithOptions(cfg, env.Options{Environment: environ}); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	return nil
}

// withFiles is the environment with each X_FILE of a variable the struct
// reads resolved into X.
func withFiles(cfg any) (map[string]string, error) {
	environ := env.ToMap(os.Environ())
	params, err := env.GetFieldParams(cfg)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, p := range params {
		path, ok := environ[p.Key+"_FILE"]
		if !ok || p.Key == "" {
			continue
		}
		if _, set := environ[p.Key]; set {
			errs = append(errs, fmt.Errorf("%s and %s_FILE are both set: keep one", p.Key, p.Key))
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s_FILE: %w", p.Key, err))
			continue
		}
		environ[p.Key] = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	}
	return environ, errors.Join(errs...)
}
