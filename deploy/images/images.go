// Package images builds an OCI image per bookwell process without a Docker
// engine, with go-containerregistry: each image is an empty base plus two
// layers, one shared by all (CA certificates, time zones, a non-root user and
// a writable /tmp) and one with the process's static binary. The images are
// written as tarballs that `docker load`, `podman load`, `crane push`,
// `kind load image-archive` and containerd's `ctr import` accept.
//
// Nothing is pulled: the CA bundle comes from the pinned module
// golang.org/x/crypto/x509roots/fallback (Mozilla's NSS roots), the time zone
// database from the Go toolchain building the binaries (lib/time/zoneinfo.zip,
// unpacked into /usr/share/zoneinfo).
package images

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/bookwell/bookwell/deploy/stack"
)

// The user every image runs as; the same uid/gid as distroless' "nonroot".
const (
	UID      = 65532
	UserName = "nonroot"
	Home     = "/home/nonroot"
)

// Paths inside every image.
const (
	BinDir      = "/usr/local/bin"
	CABundle    = "/etc/ssl/certs/ca-certificates.crt"
	ZoneInfoDir = "/usr/share/zoneinfo"
)

// Process is one program that gets an image.
type Process struct {
	// Name is the image's name and the binary's name in BinDir.
	Name string
	// Package is the main package, relative to the repository root.
	Package string
	// Ports the process listens on, recorded as the image's exposed ports.
	Ports []int
	// Files are folders copied into the image as a layer of their own
	// (the web console's built app for consoled).
	Files []Files
	// Env is added to the image's environment (e.g. where Files are).
	Env map[string]string
}

// Files is a folder of the build copied into an image.
type Files struct {
	// Src is the folder, relative to the repository root.
	Src string
	// Dst is where it lands in the image.
	Dst string
	// Need is a file Src must hold (relative to it), and Fix what to do when
	// it does not: the folder is built by something other than go build.
	Need, Fix string
}

// Options configure Build.
type Options struct {
	// RepoRoot is where `go build` runs. Required.
	RepoRoot string
	// OutDir receives <name>.tar per process. Required.
	OutDir string
	// Processes to build. Required.
	Processes []Process
	// Repository prefixes each image's name in its tag ("bookwell" gives
	// bookwell/bookingd:<Tag>).
	Repository string
	// Tag of every image; "dev" if empty.
	Tag string
	// Arch is the GOARCH of the images; the host's if empty.
	Arch string
	// Created is the images' creation time and every file's modification
	// time, so that the same source gives the same image; the Unix epoch if zero.
	Created time.Time
	// Labels are added to every image (org.opencontainers.image.revision, ...).
	Labels map[string]string
}

// Result is one image written.
type Result struct {
	Process Process
	// Ref is the tag recorded in the tarball.
	Ref string
	// Path is the tarball.
	Path string
	// ID is the digest of the image's configuration: what `docker images`
	// shows as its id, kept whatever manifest format a registry stores.
	ID string
}

// Build compiles the processes as static binaries with one `go build` and
// writes one image tarball per process.
func Build(ctx context.Context, o Options) ([]Result, error) {
	if o.RepoRoot == "" || o.OutDir == "" || len(o.Processes) == 0 {
		return nil, errors.New("images: RepoRoot, OutDir and Processes are required")
	}
	if o.Tag == "" {
		o.Tag = "dev"
	}
	if o.Arch == "" {
		o.Arch = runtime.GOARCH
	}
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0)
	}
	o.Created = o.Created.UTC()
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	binDir, err := os.MkdirTemp("", "bookwell-images-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(binDir)
	if err := compile(ctx, o, binDir); err != nil {
		return nil, err
	}
	base, err := baseLayer(o.Created)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, p := range o.Processes {
		r, err := buildOne(o, p, base, filepath.Join(binDir, path.Base(p.Package)))
		if err != nil {
			return nil, fmt.Errorf("images: %s: %w", p.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// compile builds every process into dir: static (no cgo), without local paths
// or build ids, so the binaries depend only on the source.
func compile(ctx context.Context, o Options, dir string) error {
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", dir + string(filepath.Separator)}
	for _, p := range o.Processes {
		if !slices.Contains(args, p.Package) {
			args = append(args, p.Package)
		}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.RepoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+o.Arch, "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("images: go build: %w\n%s", err, out)
	}
	return nil
}

func buildOne(o Options, p Process, base v1.Layer, binary string) (Result, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return Result{}, err
	}
	var tb tarBuilder
	tb.dir(BinDir, 0o755, 0, o.Created)
	tb.file(path.Join(BinDir, p.Name), bin, 0o755, 0, o.Created)
	binLayer, err := tb.layer()
	if err != nil {
		return Result{}, err
	}
	layers := []v1.Layer{base, binLayer}
	history := []v1.History{
		{Created: v1.Time{Time: o.Created}, CreatedBy: "bookwell images: CA certificates, time zones, user nonroot", Comment: "base"},
		{Created: v1.Time{Time: o.Created}, CreatedBy: "bookwell images: " + p.Package + " (CGO_ENABLED=0)"},
	}
	for _, f := range p.Files {
		l, err := filesLayer(filepath.Join(o.RepoRoot, filepath.FromSlash(f.Src)), f, o.Created)
		if err != nil {
			return Result{}, err
		}
		layers = append(layers, l)
		history = append(history, v1.History{Created: v1.Time{Time: o.Created}, CreatedBy: "bookwell images: " + f.Src + " at " + f.Dst})
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return Result{}, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return Result{}, err
	}
	cf = cf.DeepCopy()
	cf.Architecture = o.Arch
	cf.OS = "linux"
	cf.Created = v1.Time{Time: o.Created}
	cf.Author = "bookwell"
	cf.Config.Entrypoint = []string{path.Join(BinDir, p.Name)}
	cf.Config.User = fmt.Sprintf("%d:%d", UID, UID)
	cf.Config.WorkingDir = Home
	cf.Config.Env = []string{
		"PATH=" + BinDir,
		"SSL_CERT_FILE=" + CABundle,
		"HOME=" + Home,
	}
	for _, k := range slices.Sorted(maps.Keys(p.Env)) {
		cf.Config.Env = append(cf.Config.Env, k+"="+p.Env[k])
	}
	if len(p.Ports) > 0 {
		cf.Config.ExposedPorts = map[string]struct{}{}
		for _, port := range p.Ports {
			cf.Config.ExposedPorts[fmt.Sprintf("%d/tcp", port)] = struct{}{}
		}
	}
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title":   p.Name,
		"org.opencontainers.image.version": o.Tag,
		"org.opencontainers.image.created": o.Created.Format(time.RFC3339),
	}
	for k, v := range o.Labels {
		cf.Config.Labels[k] = v
	}
	// History entries keep tools that count them against layers happy.
	cf.History = history
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return Result{}, err
	}
	repo := p.Name
	if o.Repository != "" {
		repo = strings.TrimSuffix(o.Repository, "/") + "/" + p.Name
	}
	tag, err := name.NewTag(repo + ":" + o.Tag)
	if err != nil {
		return Result{}, err
	}
	out := filepath.Join(o.OutDir, p.Name+".tar")
	if err := tarball.WriteToFile(out, tag, img); err != nil {
		return Result{}, err
	}
	id, err := img.ConfigName()
	if err != nil {
		return Result{}, err
	}
	return Result{Process: p, Ref: tag.String(), Path: out, ID: id.String()}, nil
}

// filesLayer copies the folder src to f.Dst: read-only files owned by root,
// in path order and with fixed times, so the same files give the same layer.
func filesLayer(src string, f Files, created time.Time) (v1.Layer, error) {
	if f.Need != "" {
		if _, err := os.Stat(filepath.Join(src, filepath.FromSlash(f.Need))); err != nil {
			return nil, fmt.Errorf("no %s in %s: %s", f.Need, src, f.Fix)
		}
	}
	var tb tarBuilder
	if err := tb.ensureDirs(f.Dst, created); err != nil {
		return nil, err
	}
	// WalkDir visits in lexical order.
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		dst := path.Join(f.Dst, filepath.ToSlash(rel))
		switch {
		case d.IsDir():
			tb.dir(dst, 0o755, 0, created)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tb.file(dst, data, 0o644, 0, created)
		default:
			return fmt.Errorf("%s is neither a file nor a folder", p)
		}
		return tb.err
	})
	if err != nil {
		return nil, err
	}
	return tb.layer()
}

// baseLayer holds what every process needs from an operating system: the
// passwd and group files naming the non-root user, its home, a writable /tmp,
// the CA certificates and the time zone database.
func baseLayer(created time.Time) (v1.Layer, error) {
	var tb tarBuilder
	for _, d := range []string{"/etc", "/etc/ssl", "/etc/ssl/certs", "/home", "/usr", "/usr/share", ZoneInfoDir} {
		tb.dir(d, 0o755, 0, created)
	}
	tb.dir(Home, 0o700, UID, created)
	tb.dir("/tmp", 0o1777, 0, created)
	tb.file("/etc/passwd", []byte(fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:%s:/sbin/nologin\n", UserName, UID, UID, UserName, Home)), 0o644, 0, created)
	tb.file("/etc/group", []byte(fmt.Sprintf("root:x:0:\n%s:x:%d:\n", UserName, UID)), 0o644, 0, created)
	tb.file("/etc/nsswitch.conf", []byte("hosts: files dns\n"), 0o644, 0, created)
	tb.file(CABundle, caBundle(), 0o644, 0, created)
	if err := addZoneInfo(&tb, created); err != nil {
		return nil, err
	}
	return tb.layer()
}

// caBundle is Mozilla's trusted roots in PEM. Roots with a constraint that a
// PEM file cannot carry (a distrust-after date) are left out.
func caBundle() []byte {
	var b bytes.Buffer
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
	}
	return b.Bytes()
}

// addZoneInfo unpacks the Go toolchain's zoneinfo.zip into ZoneInfoDir, where
// the time package (and anything else) looks first.
func addZoneInfo(tb *tarBuilder, created time.Time) error {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("images: go env GOROOT: %w", err)
	}
	zipPath := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip")
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("images: time zones: %w", err)
	}
	defer zr.Close()
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	for _, f := range files {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		p := path.Join(ZoneInfoDir, f.Name)
		if err := tb.ensureDirs(path.Dir(p), created); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		tb.file(p, data, 0o644, 0, created)
	}
	return nil
}

// tarBuilder writes a layer's tar in memory with fixed owners and times.
type tarBuilder struct {
	buf  bytes.Buffer
	tw   *tar.Writer
	dirs map[string]bool
	err  error
}

func (t *tarBuilder) writer() *tar.Writer {
	if t.tw == nil {
		t.tw = tar.NewWriter(&t.buf)
		t.dirs = map[string]bool{}
	}
	return t.tw
}

func (t *tarBuilder) dir(p string, mode int64, uid int, mod time.Time) {
	if t.err != nil {
		return
	}
	tw := t.writer()
	t.dirs[p] = true
	t.err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(p, "/") + "/", Mode: mode,
		Uid: uid, Gid: uid, ModTime: mod, Format: tar.FormatPAX})
}

// ensureDirs adds p and its missing parents.
func (t *tarBuilder) ensureDirs(p string, mod time.Time) error {
	t.writer()
	if p == "/" || t.dirs[p] {
		return t.err
	}
	if err := t.ensureDirs(path.Dir(p), mod); err != nil {
		return err
	}
	t.dir(p, 0o755, 0, mod)
	return t.err
}

func (t *tarBuilder) file(p string, data []byte, mode int64, uid int, mod time.Time) {
	if t.err != nil {
		return
	}
	tw := t.writer()
	if t.err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(p, "/"), Mode: mode,
		Uid: uid, Gid: uid, Size: int64(len(data)), ModTime: mod, Format: tar.FormatPAX}); t.err != nil {
		return
	}
	_, t.err = tw.Write(data)
}

// layer closes the tar and makes it a gzip-compressed OCI layer.
func (t *tarBuilder) layer() (v1.Layer, error) {
	if t.err != nil {
		return nil, t.err
	}
	if err := t.writer().Close(); err != nil {
		return nil, err
	}
	data := t.buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// ConsoleDir is where consoled's image holds the web console's built app
// (services/console/dist, from `make console`); CONSOLE_DIST_DIR names it.
const ConsoleDir = "/usr/share/bookwell/console"

// Bookwell is every bookwell process that deploy/stack runs, with the port of
// its default listen address. consoled's image also carries the console's
// built app (services/console/dist), which `make console` must have built.
func Bookwell() []Process {
	env := stack.DefaultEnv()
	var out []Process
	for _, b := range stack.Binaries() {
		p := Process{Name: b.Name, Package: b.Package}
		if b.Name == "consoled" {
			p.Files = []Files{{Src: "services/console/dist", Dst: ConsoleDir,
				Need: "index.html", Fix: "build the console first (`make console`; `make images` does)"}}
			p.Env = map[string]string{"CONSOLE_DIST_DIR": ConsoleDir}
		}
		if addr := env[b.Ready.AddrEnv]; addr != "" {
			if _, port, err := net.SplitHostPort(addr); err == nil {
				if n, err := strconv.Atoi(port); err == nil {
					p.Ports = []int{n}
				}
			}
		}
		out = append(out, p)
	}
	return out
}
