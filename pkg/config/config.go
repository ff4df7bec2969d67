// Package config loads a service's configuration from environment variables,
// with the defaults declared on the struct's fields (`env` and `envDefault`
// tags, as understood by github.com/caarlos0/env).
package config

import (
	"fmt"

	"github.com/caarlos0/env/v11"
)

// Load fills a T from the environment and returns it, or an error naming every
// variable that is missing or malformed.
func Load[T any]() (T, error) {
	var cfg T
	if err := env.Parse(&cfg); err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}
