package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bookwell/bookwell/pkg/config"
)

type inner struct {
	Secret string `env:"TEST_CFG_SECRET"`
}

type cfg struct {
	URL   string `env:"TEST_CFG_URL" envDefault:"postgres://localhost"`
	Port  int    `env:"TEST_CFG_PORT"`
	Inner inner
}

func TestFileVariants(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("TEST_CFG_URL_FILE", write("url", "postgres://app:s3cret@db/bookwell\n"))
	t.Setenv("TEST_CFG_SECRET_FILE", write("secret", "signing-key"))
	t.Setenv("TEST_CFG_PORT", "9091")
	var c cfg
	if err := config.Load(&c); err != nil {
		t.Fatal(err)
	}
	if c.URL != "postgres://app:s3cret@db/bookwell" || c.Inner.Secret != "signing-key" || c.Port != 9091 {
		t.Fatalf("loaded %+v", c)
	}

	// Both forms at once: which one wins would be a guess.
	t.Setenv("TEST_CFG_SECRET", "other")
	if err := config.Load(&cfg{}); err == nil || !strings.Contains(err.Error(), "TEST_CFG_SECRET and TEST_CFG_SECRET_FILE are both set") {
		t.Fatalf("both set: %v", err)
	}
	os.Unsetenv("TEST_CFG_SECRET")
	t.Setenv("TEST_CFG_URL_FILE", filepath.Join(dir, "missing"))
	if err := config.Load(&cfg{}); err == nil || !strings.Contains(err.Error(), "TEST_CFG_URL_FILE") {
		t.Fatalf("missing file: %v", err)
	}
}
