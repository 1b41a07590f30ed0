// go-certs writes a throwaway local CA (a root and an intermediate) and one ECDSA P-256
// certificate per name it signs, for the benchmarks that need many cached certificates without
// an ACME CA. Usage: go-certs -out DIR -names FILE (one name per line). It writes DIR/root.pem
// and DIR/<name>.pem holding the PKCS#8 key followed by the leaf and the intermediate.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

type authority struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

var serial int64

func newAuthority(name string, parent *authority) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial++
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	signer, signerKey := template, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, der: der, key: key}, nil
}

func leaf(name string, number int64, issuer *authority) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(number),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, issuer.cert, &key.PublicKey, issuer.key)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	var out []byte
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...)
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issuer.der})...)
	return out, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-certs:", err)
	os.Exit(1)
}

func main() {
	out := flag.String("out", "", "output directory")
	namesFile := flag.String("names", "", "file with one host name per line")
	flag.Parse()
	if *out == "" || *namesFile == "" {
		fail(fmt.Errorf("pass -out DIR and -names FILE"))
	}
	file, err := os.Open(*namesFile)
	if err != nil {
		fail(err)
	}
	var names []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if name := strings.TrimSpace(scanner.Text()); name != "" {
			names = append(names, name)
		}
	}
	file.Close()

	root, err := newAuthority("autotls bench root", nil)
	if err != nil {
		fail(err)
	}
	intermediate, err := newAuthority("autotls bench intermediate", root)
	if err != nil {
		fail(err)
	}
	rootPem := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.der})
	if err := os.WriteFile(filepath.Join(*out, "root.pem"), rootPem, 0o600); err != nil {
		fail(err)
	}

	jobs := make(chan int)
	errs := make(chan error, len(names))
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				data, err := leaf(names[i], int64(1000+i), intermediate)
				if err == nil {
					err = os.WriteFile(filepath.Join(*out, names[i]+".pem"), data, 0o600)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range names {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		fail(err)
	}
}
