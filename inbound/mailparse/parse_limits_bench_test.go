package mailparse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The pathological mails of issue #11, each about 9.5 MB.

// mailManyParts is a multipart/mixed of n empty attachment parts.
func mailManyParts(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: eve@evil.test\r\nTo: support@dargo.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
	for range n {
		b.WriteString("--b\r\nContent-Type: application/octet-stream\r\n\r\n")
	}
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

// mailHugeBase64 has one base64 attachment of size decoded bytes.
func mailHugeBase64(size int) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	var b bytes.Buffer
	b.WriteString("From: eve@evil.test\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\n\r\nSee attached.\r\n")
	b.WriteString("--big\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for i := 0; i < len(enc); i += 76 {
		b.WriteString(enc[i:min(i+76, len(enc))])
		b.WriteString("\r\n")
	}
	b.WriteString("--big--\r\n")
	return b.Bytes()
}

// mailDeepNesting nests depth multiparts, each with its own boundary, and
// pads the innermost part to about pad bytes.
func mailDeepNesting(depth, pad int) []byte {
	var b bytes.Buffer
	b.WriteString("From: eve@evil.test\r\nSubject: deep\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n--n%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\n")
	b.WriteString(strings.Repeat("padding line of the innermost part\r\n", pad/36))
	return b.Bytes()
}

// mailHugeHeader has a header of about size bytes of short fields.
func mailHugeHeader(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: eve@evil.test\r\nSubject: header\r\n")
	for b.Len() < size {
		b.WriteString("X-A: b\r\n")
	}
	b.WriteString("\r\nbody\r\n")
	return b.Bytes()
}

const pathologicalSize = 19 << 19 // 9.5 MiB

var pathologicalMails = []struct {
	name string
	raw  func() []byte
}{
	{"200k empty parts", func() []byte { return mailManyParts(200_000) }},
	{"huge base64 part", func() []byte { return mailHugeBase64(pathologicalSize * 3 / 4) }},
	{"deep nesting", func() []byte { return mailDeepNesting(10_000, pathologicalSize) }},
	{"huge header", func() []byte { return mailHugeHeader(pathologicalSize) }},
	{"nesting at the depth limit", func() []byte { return mailDeepNesting(maxDepth, pathologicalSize) }},
	{"huge part header", func() []byte { return mailHugePartHeader(pathologicalSize) }},
	{"500 empty parts", func() []byte { return mailManyParts(MaxParts - 1) }},
	{"huge text body", func() []byte { return mailDeepNesting(0, pathologicalSize) }},
}

// mailHugePartHeader has one part whose header is about size bytes of short fields.
func mailHugePartHeader(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: eve@evil.test\r\nSubject: part header\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n")
	for b.Len() < size {
		b.WriteString("X-A: b\r\n")
	}
	b.WriteString("\r\nbody\r\n--b--\r\n")
	return b.Bytes()
}

// BenchmarkParsePathological reports, besides time, alloc/byte: the bytes
// Parse allocates per byte of mail (an upper bound of its peak), and
// peak/byte: the highest heap seen while parsing, above the heap before,
// per byte of mail (sampled every 200µs, so a lower bound).
func BenchmarkParsePathological(b *testing.B) {
	for _, tc := range pathologicalMails {
		raw := tc.raw()
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				Parse(raw)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(raw)), "alloc/byte")
			// The peak of one parse after a collection: garbage of earlier
			// iterations would otherwise count too.
			runtime.GC()
			base := heapBytes()
			peak := watchPeak()
			Parse(raw)
			b.ReportMetric(float64(peak()-base)/float64(len(raw)), "peak/byte")
		})
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// watchPeak samples the heap until the returned func is called, which
// returns the highest value seen.
func watchPeak() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if h := heapBytes(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}
