// The Go seed: the program a Go developer writes for automatic HTTPS — echo serving
// "Hello, TLS!" with golang.org/x/crypto/acme/autocert obtaining certificates on the first
// handshake for each allowed name (tls-alpn-01 on the HTTPS port) and keeping them in a directory.
//
// It is the baseline of the autotls benchmarks, configured like apps/hello:
//
//	DOMAINS         comma-separated host names (required)
//	ACME_DIRECTORY  ACME directory URL (default Let's Encrypt production)
//	ACME_CA_CERTS   comma-separated PEM files of extra CAs to trust for the ACME API
//	CERTS_DIR       autocert.DirCache directory (default ./certs)
//	HTTPS_PORT      HTTPS and tls-alpn-01 port (default 443)
//	HOST            address to bind (default all)
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

func env(name, fallback string) string {
	if value := strings.TrimSpace(os.Getenv(name)); value != "" {
		return value
	}
	return fallback
}

func list(text string) []string {
	var out []string
	for _, item := range strings.Split(text, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// acmeHTTPClient trusts the system roots plus the PEM files in ACME_CA_CERTS (a test CA).
func acmeHTTPClient(files []string) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, file := range files {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("ACME_CA_CERTS: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ACME_CA_CERTS: no certificate in %s", file)
		}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	return &http.Client{Transport: transport, Timeout: 60 * time.Second}, nil
}

func main() {
	domains := list(os.Getenv("DOMAINS"))
	if len(domains) == 0 {
		fmt.Fprintln(os.Stderr, "set DOMAINS to the comma-separated host names to serve")
		os.Exit(2)
	}
	httpClient, err := acmeHTTPClient(list(os.Getenv("ACME_CA_CERTS")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.AutoTLSManager.HostPolicy = autocert.HostWhitelist(domains...)
	e.AutoTLSManager.Cache = autocert.DirCache(env("CERTS_DIR", "./certs"))
	e.AutoTLSManager.Client = &acme.Client{
		DirectoryURL: env("ACME_DIRECTORY", acme.LetsEncryptURL),
		HTTPClient:   httpClient,
	}
	e.GET("/", func(c echo.Context) error {
		return c.String(http.StatusOK, "Hello, TLS!\n")
	})

	address := net.JoinHostPort(env("HOST", ""), env("HTTPS_PORT", "443"))
	if err := e.StartAutoTLS(address); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
