// Command ferretdb-launcher runs an embedded FerretDB 1.24 with its SQLite
// backend (default) or its PostgreSQL backend, for Chronicle's tests and for
// `npm start` when no MongoDB is configured. It listens on 127.0.0.1:0 by
// default, prints one line "FERRETDB_URI=<uri>" on stdout once it accepts
// connections, and exits cleanly on SIGTERM or SIGINT, and with
// -exit-on-stdin-eof also when its standard input closes (the process that
// started it died), so a SIGKILLed parent leaves no FerretDB behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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
	handler := flag.String("handler", "sqlite", "FerretDB backend: sqlite or postgresql")
	dir := flag.String("dir", "", "directory for the SQLite databases (required with -handler sqlite)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection string (required with -handler postgresql)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	exitOnStdinEOF := flag.Bool("exit-on-stdin-eof", false, "shut down when standard input reaches end of file")
	verbose := flag.Bool("verbose", false, "log FerretDB's info messages to stderr")
	flag.Parse()

	config := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}, Handler: *handler}
	switch *handler {
	case "sqlite":
		if *dir == "" {
			log.Fatal("ferretdb-launcher: -dir is required with -handler sqlite")
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			log.Fatalf("ferretdb-launcher: %v", err)
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			log.Fatalf("ferretdb-launcher: %v", err)
		}
		// synchronous(full): a killed server must keep every write it acknowledged.
		config.SQLiteURL = "file:" + abs + "/?_pragma=synchronous(full)"
	case "postgresql":
		if *pgURL == "" {
			log.Fatal("ferretdb-launcher: -postgresql-url is required with -handler postgresql")
		}
		config.PostgreSQLURL = *pgURL
	default:
		log.Fatalf("ferretdb-launcher: unknown -handler %q (sqlite or postgresql)", *handler)
	}

	setVersion()

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	config.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&config)
	if err != nil {
		log.Fatalf("ferretdb-launcher: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *exitOnStdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

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
