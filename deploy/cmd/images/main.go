// Command images builds an OCI image tarball per bookwell process without a
// Docker engine (`make images`): static binaries on an empty base with CA
// certificates, time zones and a non-root user. See package deploy/images.
//
//	go run ./deploy/cmd/images -out dist/images -tag v1.2.3 -repository registry.example.com/bookwell
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/bookwell/bookwell/deploy/images"
	"github.com/bookwell/bookwell/deploy/stack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	out := flag.String("out", "dist/images", "folder for the <process>.tar image tarballs")
	tag := flag.String("tag", "dev", "tag of every image")
	repo := flag.String("repository", "bookwell", "repository prefix of the image names")
	arch := flag.String("arch", "", "GOARCH of the images (default: this machine's)")
	created := flag.String("created", "", "creation time as Unix seconds, e.g. the commit's (default: SOURCE_DATE_EPOCH, else 0)")
	revision := flag.String("revision", "", "source revision, recorded as org.opencontainers.image.revision")
	flag.Parse()

	root, err := stack.RepoRoot()
	if err != nil {
		return err
	}
	when := time.Unix(0, 0)
	for _, s := range []string{*created, os.Getenv("SOURCE_DATE_EPOCH")} {
		if s == "" {
			continue
		}
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("-created %q: want Unix seconds", s)
		}
		when = time.Unix(sec, 0)
		break
	}
	labels := map[string]string{}
	if *revision != "" {
		labels["org.opencontainers.image.revision"] = *revision
	}
	start := time.Now()
	res, err := images.Build(ctx, images.Options{
		RepoRoot: root, OutDir: *out, Processes: images.Bookwell(),
		Repository: *repo, Tag: *tag, Arch: *arch, Created: when, Labels: labels,
	})
	if err != nil {
		return err
	}
	for _, r := range res {
		st, _ := os.Stat(r.Path)
		fmt.Printf("%-40s %s %5.1f MB  %s\n", r.Ref, r.ID[:19], float64(st.Size())/1e6, r.Path)
	}
	fmt.Printf("%d images in %s\n", len(res), time.Since(start).Round(100*time.Millisecond))
	return nil
}
