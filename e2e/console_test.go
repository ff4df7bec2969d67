package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bookwell/bookwell/deploy/stack"
)

// TestConsoleInABrowser runs the console's browser journeys (Playwright, in
// services/console/e2e) in Chromium against the whole stack: a mentee
// requests and the mentor approves, a rejection with its reason, a
// negotiation, a class completed at once, a refund, the CSV export. `make
// test` builds the console and makes sure Chromium is there first.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel() // its class waits a minute to start; the others overlap it
	if testing.Short() {
		t.Skip("end-to-end: builds and runs every binary and a browser")
	}
	dir, playwright, chromium := browserSetup(t)

	w := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"test", "--project=journeys"}
	if g := os.Getenv("BROWSER_GREP"); g != "" {
		args = append(args, "--grep", g) // run some journeys while working on them
	}
	cmd := exec.CommandContext(ctx, playwright, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CONSOLE_URL="+w.console, "CHROMIUM_PATH="+chromium, "CI=true")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err := cmd.Run()
	t.Logf("playwright (%s):\n%s", time.Since(began).Round(time.Second), out.String())
	if err != nil {
		t.Fatalf("browser journeys failed: %v (traces and screenshots in services/console/test-results)", err)
	}
}

// browserSetup finds what a browser test needs: the console's folder (with
// its build), its Playwright and the machine's Chromium.
func browserSetup(t *testing.T) (dir, playwright, chromium string) {
	t.Helper()
	root, err := stack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "services", "console")
	playwright = filepath.Join(dir, "node_modules", ".bin", "playwright")
	for _, need := range []struct{ path, fix string }{
		{filepath.Join(dir, "dist", "index.html"), "the console is not built: run `make console`"},
		{playwright, "the console's packages are not installed: run `make console`"},
	} {
		if _, err := os.Stat(need.path); err != nil {
			t.Fatalf("%s (no %s)", need.fix, need.path)
		}
	}
	chromium = os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s: run `make chromium` (installs Debian's package as root) or set CHROMIUM_PATH", chromium)
	}
	return dir, playwright, chromium
}
