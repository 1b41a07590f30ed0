// go-tls-load: a TLS load generator built on Go's crypto/tls, the client side of the pinned
// handshake benchmark (tools/bench/src/go-tls-load.ts).
//
// It keeps -c connections busy for -duration. With -mode=full every connection is new: a full
// handshake with SNI and no session resumption (no ClientSessionCache), one "GET /" with
// "Connection: close", the whole response read, then close. With -mode=keepalive each of the -c
// connections sends one GET after another. The certificate is verified against -ca when given.
// A -warmup period runs first and is not counted. It prints one JSON line:
//
//	{"mode":"full","connections":16,"seconds":5.0,"ok":9000,"failed":0,"perSecond":1800,
//	 "version":"TLS 1.3","group":"X25519MLKEM768","firstError":"","all":10850,"resumed":0}
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Mode        string  `json:"mode"`
	Connections int     `json:"connections"`
	Seconds     float64 `json:"seconds"`
	OK          int64   `json:"ok"`
	Failed      int64   `json:"failed"`
	PerSecond   float64 `json:"perSecond"`
	Version     string  `json:"version"`
	Group       string  `json:"group"`
	FirstError  string  `json:"firstError"`
	// All counts every completed request, warm-up and wind-down included: the divisor for the
	// server's CPU time over the whole run.
	All int64 `json:"all"`
	// Resumed counts handshakes that resumed a session: always 0 without a session cache.
	Resumed int64 `json:"resumed"`
}

type load struct {
	addr     string
	config   *tls.Config
	request  []byte
	counting atomic.Bool
	ok       atomic.Int64
	all      atomic.Int64
	resumed  atomic.Int64
	failed   atomic.Int64
	first    sync.Once
	firstErr atomic.Value
	state    atomic.Value
}

func (l *load) fail(err error) {
	if l.counting.Load() {
		l.failed.Add(1)
		l.first.Do(func() { l.firstErr.Store(err.Error()) })
	}
}

func (l *load) succeed() {
	l.all.Add(1)
	if l.counting.Load() {
		l.ok.Add(1)
	}
}

// exchange sends one request on conn and reads the whole response.
func (l *load) exchange(conn *tls.Conn, reader *bufio.Reader) error {
	if _, err := conn.Write(l.request); err != nil {
		return err
	}
	response, err := http.ReadResponse(reader, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, response.Body)
	response.Body.Close()
	if err == nil && response.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", response.StatusCode)
	}
	return err
}

func (l *load) dial() (*tls.Conn, error) {
	raw, err := net.DialTimeout("tcp", l.addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	conn := tls.Client(raw, l.config)
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if err := conn.Handshake(); err != nil {
		raw.Close()
		return nil, err
	}
	state := conn.ConnectionState()
	if state.DidResume {
		l.resumed.Add(1)
	}
	if l.state.Load() == nil {
		l.state.Store(state)
	}
	return conn, nil
}

func (l *load) full(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		conn, err := l.dial()
		if err != nil {
			l.fail(err)
			continue
		}
		err = l.exchange(conn, bufio.NewReader(conn))
		conn.Close()
		if err != nil {
			l.fail(err)
		} else {
			l.succeed()
		}
	}
}

func (l *load) keepAlive(stop <-chan struct{}) {
	for {
		conn, err := l.dial()
		if err != nil {
			l.fail(err)
			select {
			case <-stop:
				return
			default:
				continue
			}
		}
		reader := bufio.NewReader(conn)
		for {
			select {
			case <-stop:
				conn.Close()
				return
			default:
			}
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			if err := l.exchange(conn, reader); err != nil {
				l.fail(err)
				conn.Close()
				break
			}
			l.succeed()
		}
	}
}

func groupName(id tls.CurveID) string {
	if id == 0 {
		return ""
	}
	return id.String()
}

func main() {
	addr := flag.String("addr", "127.0.0.1:443", "server address")
	sni := flag.String("sni", "", "server name sent with SNI and as Host (required)")
	caFile := flag.String("ca", "", "PEM file of the CA that signs the server's certificate (default: no verification)")
	connections := flag.Int("c", 16, "concurrent connections")
	duration := flag.Duration("duration", 5*time.Second, "measured time")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time first")
	mode := flag.String("mode", "full", "full: a new connection and full handshake per request; keepalive: requests on kept connections")
	flag.Parse()
	if *sni == "" || (*mode != "full" && *mode != "keepalive") || *connections < 1 {
		flag.Usage()
		os.Exit(2)
	}
	config := &tls.Config{ServerName: *sni, NextProtos: []string{"http/1.1"}}
	if *caFile == "" {
		config.InsecureSkipVerify = true
	} else {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		config.RootCAs = x509.NewCertPool()
		if !config.RootCAs.AppendCertsFromPEM(pem) {
			fmt.Fprintln(os.Stderr, "no certificate in", *caFile)
			os.Exit(2)
		}
	}
	header := "Connection: close\r\n"
	if *mode == "keepalive" {
		header = ""
	}
	l := &load{
		addr:    *addr,
		config:  config,
		request: []byte("GET / HTTP/1.1\r\nHost: " + *sni + "\r\n" + header + "User-Agent: go-tls-load\r\n\r\n"),
	}
	stop := make(chan struct{})
	var running sync.WaitGroup
	for i := 0; i < *connections; i++ {
		running.Add(1)
		go func() {
			defer running.Done()
			if *mode == "full" {
				l.full(stop)
			} else {
				l.keepAlive(stop)
			}
		}()
	}
	time.Sleep(*warmup)
	l.counting.Store(true)
	started := time.Now()
	time.Sleep(*duration)
	l.counting.Store(false)
	seconds := time.Since(started).Seconds()
	close(stop)
	done := make(chan struct{})
	go func() { running.Wait(); close(done) }()
	lingering := ""
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		lingering = "connections still open 15 s after the end"
	}
	out := result{
		Mode:        *mode,
		Connections: *connections,
		Seconds:     seconds,
		OK:          l.ok.Load(),
		Failed:      l.failed.Load(),
		PerSecond:   float64(l.ok.Load()) / seconds,
		All:         l.all.Load(),
		Resumed:     l.resumed.Load(),
	}
	if state, ok := l.state.Load().(tls.ConnectionState); ok {
		out.Version = tls.VersionName(state.Version)
		out.Group = groupName(state.CurveID)
	}
	if first, ok := l.firstErr.Load().(string); ok {
		out.FirstError = first
	} else if lingering != "" {
		out.FirstError = lingering
		out.Failed++
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
