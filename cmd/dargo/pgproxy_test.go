package main

import (
	"bytes"
	be "encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
)

// Protocol codes of the PostgreSQL startup packets.
const (
	pgProtocol3 = 196608
	pgSSL       = 80877103
	pgGSSEnc    = 80877104
)

// ignoringPooler runs a TCP proxy to upstream that drops the search_path
// startup parameter of every connection, as PgBouncer does with
// ignore_startup_parameters=search_path, and returns its address.
func ignoringPooler(t *testing.T, upstream string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { proxyDroppingSearchPath(c, upstream) })
		}
	})
	return ln.Addr().String()
}

func proxyDroppingSearchPath(client net.Conn, upstream string) {
	defer client.Close()
	var startup []byte
	for {
		var head [8]byte
		if _, err := io.ReadFull(client, head[:]); err != nil {
			return
		}
		body := make([]byte, be.BigEndian.Uint32(head[:4])-8)
		if _, err := io.ReadFull(client, body); err != nil {
			return
		}
		code := be.BigEndian.Uint32(head[4:])
		if code == pgSSL || code == pgGSSEnc {
			client.Write([]byte{'N'})
			continue
		}
		if code == pgProtocol3 {
			body = dropParam(body, "search_path")
		}
		startup = be.BigEndian.AppendUint32(nil, uint32(len(body)+8))
		startup = append(append(startup, head[4:]...), body...)
		break
	}
	server, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer server.Close()
	if _, err := server.Write(startup); err != nil {
		return
	}
	done := make(chan struct{})
	go func() { io.Copy(client, server); client.Close(); close(done) }()
	io.Copy(server, client)
	server.Close()
	<-done
}

// dropParam removes name from a startup packet's name\0value\0…\0 list.
func dropParam(body []byte, name string) []byte {
	fields := bytes.Split(bytes.TrimRight(body, "\x00"), []byte{0})
	var out []byte
	for i := 0; i+1 < len(fields); i += 2 {
		if string(fields[i]) == name {
			continue
		}
		out = append(append(append(append(out, fields[i]...), 0), fields[i+1]...), 0)
	}
	return append(out, 0)
}
