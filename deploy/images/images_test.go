package images_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"debug/elf"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/bookwell/bookwell/deploy/images"
	"github.com/bookwell/bookwell/deploy/stack"
)

// TestImages builds the image of every process and loads each tarball back as
// a container runtime would: the tag, the entrypoint, a non-root user, and
// inside the filesystem a static binary at the entrypoint, a CA bundle Go can
// use, the time zones, and the user in /etc/passwd; consoled's image also
// carries the web console's built app where CONSOLE_DIST_DIR points.
func TestImages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every binary")
	}
	root, err := stack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out := t.TempDir()
	procs := images.Bookwell()
	if len(procs) != 8 {
		t.Fatalf("processes = %d, want the eight of the stack (seven back-end processes and consoled)", len(procs))
	}
	dist := filepath.Join(root, "services", "console", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the console is not built (no %s): run `make console`", filepath.Join(dist, "index.html"))
	}
	res, err := images.Build(ctx, images.Options{RepoRoot: root, OutDir: out, Processes: procs,
		Repository: "registry.test/bookwell", Tag: "v0.0.1-test", Created: time.Unix(1_700_000_000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(procs) {
		t.Fatalf("built %d images for %d processes", len(res), len(procs))
	}
	for _, r := range res {
		t.Run(r.Process.Name, func(t *testing.T) {
			tag, err := name.NewTag("registry.test/bookwell/" + r.Process.Name + ":v0.0.1-test")
			if err != nil {
				t.Fatal(err)
			}
			img, err := tarball.ImageFromPath(r.Path, &tag)
			if err != nil {
				t.Fatalf("load %s: %v", r.Path, err)
			}
			id, err := img.ConfigName()
			if err != nil || id.String() != r.ID {
				t.Fatalf("image id %v (%v), built %s", id, err, r.ID)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			entry := "/usr/local/bin/" + r.Process.Name
			if got := cf.Config.Entrypoint; len(got) != 1 || got[0] != entry {
				t.Errorf("entrypoint %q, want [%s]", got, entry)
			}
			if cf.Config.User != "65532:65532" {
				t.Errorf("user %q, want 65532:65532 (non-root)", cf.Config.User)
			}
			if cf.OS != "linux" || cf.Architecture == "" {
				t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
			}
			if r.Process.Name != "booking-worker" && len(cf.Config.ExposedPorts) != 1 {
				t.Errorf("exposed ports %v, want the process's one port", cf.Config.ExposedPorts)
			}
			files := flatten(t, img)
			checkStatic(t, files[strings.TrimPrefix(entry, "/")])
			checkCABundle(t, files["etc/ssl/certs/ca-certificates.crt"])
			tz, ok := files["usr/share/zoneinfo/Europe/Berlin"]
			if !ok {
				t.Fatal("no usr/share/zoneinfo/Europe/Berlin")
			}
			if _, err := time.LoadLocationFromTZData("Europe/Berlin", tz); err != nil {
				t.Errorf("Europe/Berlin: %v", err)
			}
			if !bytes.Contains(files["etc/passwd"], []byte("nonroot:x:65532:65532:")) {
				t.Errorf("/etc/passwd has no nonroot user:\n%s", files["etc/passwd"])
			}
			if r.Process.Name == "consoled" {
				checkConsole(t, cf.Config.Env, files, dist)
			}
		})
	}
	// Same source, same options: same images.
	again, err := images.Build(ctx, images.Options{RepoRoot: root, OutDir: filepath.Join(out, "again"), Processes: procs[:1],
		Repository: "registry.test/bookwell", Tag: "v0.0.1-test", Created: time.Unix(1_700_000_000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if again[0].ID != res[0].ID {
		t.Errorf("rebuilt %s has id %s, first build %s: the build is not reproducible", procs[0].Name, again[0].ID, res[0].ID)
	}
}

// flatten reads the image's merged filesystem, as a runtime unpacks it:
// regular files by path.
func flatten(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	}
}

// checkConsole: CONSOLE_DIST_DIR names a folder of the image holding every
// file of the console's build, byte for byte, and index.html refers to
// assets that are there.
func checkConsole(t *testing.T, env []string, files map[string][]byte, dist string) {
	t.Helper()
	dir := ""
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "CONSOLE_DIST_DIR="); ok {
			dir = v
		}
	}
	if !strings.HasPrefix(dir, "/") {
		t.Fatalf("CONSOLE_DIST_DIR %q in the image's environment %v, want an absolute path", dir, env)
	}
	inImage := strings.TrimPrefix(dir, "/") + "/"
	n := 0
	err := filepath.WalkDir(dist, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dist, p)
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if got, ok := files[inImage+filepath.ToSlash(rel)]; !ok || !bytes.Equal(got, want) {
			t.Errorf("%s%s: in the image %v, same bytes as the build %v", dir+"/", rel, ok, bytes.Equal(got, want))
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	index := string(files[inImage+"index.html"])
	assets := regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`).FindAllStringSubmatch(index, -1)
	if len(assets) == 0 {
		t.Fatalf("index.html in the image refers to no assets:\n%s", index)
	}
	for _, a := range assets {
		if _, ok := files[inImage+a[1]]; !ok {
			t.Errorf("index.html refers to /%s, which the image lacks", a[1])
		}
	}
	t.Logf("consoled: %d files of the console's build in %s", n, dir)
}

func checkStatic(t *testing.T, bin []byte) {
	t.Helper()
	if len(bin) == 0 {
		t.Fatal("no binary at the entrypoint")
	}
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("entrypoint is not an ELF binary: %v", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("binary is dynamically linked (program header %v): it cannot run on an empty base", p.Type)
		}
	}
}

func checkCABundle(t *testing.T, pemData []byte) {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatal("CA bundle has no certificate")
	}
	if n := bytes.Count(pemData, []byte("BEGIN CERTIFICATE")); n < 100 {
		t.Fatalf("CA bundle has %d certificates, want the public roots (over 100)", n)
	}
}
