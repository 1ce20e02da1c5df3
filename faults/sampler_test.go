//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// usage is one sample of a process: resident memory in KiB, threads,
// open files and goroutines (-1 when its ops listener does not say).
type usage struct {
	rssKiB, threads, fds, goroutines int
}

// sampler records each role's usage over the run.
type sampler struct {
	mu      sync.Mutex
	samples map[string][]usage
}

// sample reads /proc for each running role, and its goroutine count from
// its ops listener's /debug/vars.
func (s *sampler) sample(pids map[string]int, ops map[string]string) {
	got := map[string]usage{}
	for role, pid := range pids {
		// A process that is exiting has no memory left to count.
		if u, err := readUsage(pid); err == nil && u.rssKiB > 0 {
			u.goroutines = readGoroutines(ops[role])
			got[role] = u
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for role, u := range got {
		s.samples[role] = append(s.samples[role], u)
	}
}

// readGoroutines asks a process's ops listener how many goroutines it
// runs; -1 when it cannot say.
func readGoroutines(addr string) int {
	if addr == "" {
		return -1
	}
	c := http.Client{Timeout: 2 * time.Second}
	res, err := c.Get("http://" + addr + "/debug/vars")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	var vars struct {
		Goroutines *int `json:"goroutines"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&vars) != nil || vars.Goroutines == nil {
		return -1
	}
	return *vars.Goroutines
}

func readUsage(pid int) (usage, error) {
	var u usage
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		name, value, _ := strings.Cut(line, ":")
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		switch name {
		case "VmRSS":
			u.rssKiB, _ = strconv.Atoi(fields[0])
		case "Threads":
			u.threads, _ = strconv.Atoi(fields[0])
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	u.fds = len(fds)
	return u, err
}

// growth names each role and measure whose median over the last third of
// the samples exceeds the first third's by more than half plus slack.
// Fewer than six samples say nothing.
func (s *sampler) growth() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for role, us := range s.samples {
		n := len(us) / 3
		if n < 2 {
			continue
		}
		for _, m := range []struct {
			name  string
			get   func(usage) int
			slack int
		}{
			{"RSS KiB", func(u usage) int { return u.rssKiB }, 32 << 10},
			{"threads", func(u usage) int { return u.threads }, 8},
			{"open files", func(u usage) int { return u.fds }, 16},
			{"goroutines", func(u usage) int { return u.goroutines }, 50},
		} {
			if m.name == "goroutines" && (median(us[:n], m.get) < 0 || median(us[len(us)-n:], m.get) < 0) {
				continue // the binary has no ops listener to ask
			}
			first, last := median(us[:n], m.get), median(us[len(us)-n:], m.get)
			if last > first+first/2+m.slack {
				out = append(out, fmt.Sprintf("%s %s: median %d in the first third of %d samples, %d in the last", role, m.name, first, len(us), last))
			}
		}
	}
	return out
}

// summary is each role's first and last sample, for the log.
func (s *sampler) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for role, us := range s.samples {
		if len(us) > 0 {
			f, l := us[0], us[len(us)-1]
			fmt.Fprintf(&b, "%s: %d samples; RSS %d → %d KiB, threads %d → %d, open files %d → %d, goroutines %d → %d\n",
				role, len(us), f.rssKiB, l.rssKiB, f.threads, l.threads, f.fds, l.fds, f.goroutines, l.goroutines)
		}
	}
	return b.String()
}

func median(us []usage, get func(usage) int) int {
	vs := make([]int, len(us))
	for i, u := range us {
		vs[i] = get(u)
	}
	slices.Sort(vs)
	return vs[len(vs)/2]
}

// sampleEvery is how often the soak samples the processes.
const sampleEvery = 30 * time.Second
