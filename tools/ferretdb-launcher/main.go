// Command ferretdb-launcher runs an embedded FerretDB 1.24 with the SQLite
// backend, for Chronicle's tests and for `npm start` when no MongoDB is
// configured. It listens on 127.0.0.1:0 by default, prints one line
// "FERRETDB_URI=<uri>" on stdout once it accepts connections, and exits
// cleanly on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/build/version"
	"github.com/FerretDB/FerretDB/ferretdb"
)

// setVersion fills in the version FerretDB reports in buildInfo.ferretdbVersion:
// the embeddable package leaves it "unknown", and tests log which server they ran on.
func setVersion() {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, dep := range bi.Deps {
		if dep.Path == "github.com/FerretDB/FerretDB" {
			version.Get().Version = dep.Version
		}
	}
}

func main() {
	dir := flag.String("dir", "", "directory for the SQLite databases (required)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	verbose := flag.Bool("verbose", false, "log FerretDB's info messages to stderr")
	flag.Parse()

	if *dir == "" {
		log.Fatal("ferretdb-launcher: -dir is required")
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		log.Fatalf("ferretdb-launcher: %v", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatalf("ferretdb-launcher: %v", err)
	}

	setVersion()

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// synchronous(full): a killed server must keep every write it acknowledged.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(full)",
		Logger:    logger,
	})
	if err != nil {
		log.Fatalf("ferretdb-launcher: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f.Run(ctx); err != nil {
			log.Printf("ferretdb-launcher: %v", err)
		}
	}()

	// MongoDBURI waits until the listener is bound, so the port is known.
	fmt.Printf("FERRETDB_URI=%s\n", f.MongoDBURI())

	<-done
}
