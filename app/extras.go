//go:build extras

// The extra subcommands show what a scratch image lacks that an operating
// system usually provides. They are compiled only with `-tags extras`, so the
// tutorial's image stays the size the tutorial talks about.
package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"time"
)

func init() {
	if len(os.Args) < 2 {
		return
	}
	switch os.Args[1] {
	case "tmp":
		// os.CreateTemp uses $TMPDIR, else /tmp: a scratch image has neither.
		f, err := os.CreateTemp("", "scratch-*")
		exit(err, func() { fmt.Println("created", f.Name()) })
	case "tz":
		loc, err := time.LoadLocation(arg(2, "Europe/Madrid"))
		exit(err, func() {
			at := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC).In(loc)
			fmt.Println("2024-07-01 12:00 UTC is", at.Format("15:04 MST"), "in", loc)
		})
	case "certs":
		// Go reads the system's CA bundle from /etc/ssl/certs and a few other places.
		pool, err := x509.SystemCertPool()
		exit(err, func() {
			if n := len(pool.Subjects()); n == 0 { //nolint:staticcheck // counting is all we need
				fmt.Println("no CA certificates: HTTPS requests would fail with \"x509: certificate signed by unknown authority\"")
				os.Exit(1)
			} else {
				fmt.Println(n, "CA certificates found")
			}
		})
	default:
		return
	}
	os.Exit(0)
}

func arg(i int, fallback string) string {
	if len(os.Args) > i {
		return os.Args[i]
	}
	return fallback
}

func exit(err error, ok func()) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ok()
}
