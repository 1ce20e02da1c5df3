//go:build faults

package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// restartDelay is how long the supervisor waits before restarting a
// process that exited, like systemd's RestartSec=1 with Restart=always.
const restartDelay = time.Second

// exit is one end of a supervised process.
type exit struct {
	at      time.Time
	role    string
	status  string // "exit status 1", "signal: killed"
	planned bool   // the suite signalled it
}

// supervisor runs each role as a process and restarts it when it exits.
type supervisor struct {
	bin    string
	env    []string
	logDir string

	mu       sync.Mutex
	procs    map[string]*proc
	exits    []exit
	stopping bool
	wg       sync.WaitGroup
}

// proc is one role's current process.
type proc struct {
	role      string
	args      []string
	env       []string // the role's own settings, after the shared ones
	cmd       *exec.Cmd
	planned   bool      // the next exit was asked for
	holdUntil time.Time // no restart before
}

func newSupervisor(bin string, env []string, logDir string) *supervisor {
	return &supervisor{bin: bin, env: env, logDir: logDir, procs: map[string]*proc{}}
}

// run starts role (`dargo args...`) and keeps it running until stop.
func (s *supervisor) run(role string, args ...string) { s.runEnv(role, nil, args...) }

// runEnv is run with settings of the role's own (its ops address).
func (s *supervisor) runEnv(role string, env []string, args ...string) {
	p := &proc{role: role, args: args, env: env}
	s.mu.Lock()
	s.procs[role] = p
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			status := s.runOnce(p)
			s.mu.Lock()
			if s.stopping {
				s.mu.Unlock()
				return
			}
			s.exits = append(s.exits, exit{at: time.Now(), role: role, status: status, planned: p.planned})
			p.planned = false
			wait := max(restartDelay, time.Until(p.holdUntil))
			s.mu.Unlock()
			time.Sleep(wait)
		}
	}()
}

// runOnce runs the process to its end and says how it ended.
func (s *supervisor) runOnce(p *proc) string {
	logf, err := os.OpenFile(filepath.Join(s.logDir, p.role+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err.Error()
	}
	defer logf.Close()
	cmd := exec.Command(s.bin, p.args...)
	cmd.Env = append(append(os.Environ(), s.env...), p.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return "not started"
	}
	err = cmd.Start()
	if err == nil {
		p.cmd = cmd
	}
	s.mu.Unlock()
	if err != nil {
		return err.Error()
	}
	err = cmd.Wait()
	s.mu.Lock()
	p.cmd = nil
	s.mu.Unlock()
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// signal sends sig to role's process; the supervisor restarts it no
// sooner than restartAfter. It reports whether a process was running.
func (s *supervisor) signal(role string, sig syscall.Signal, restartAfter time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.procs[role]
	if p == nil || p.cmd == nil {
		return false
	}
	p.planned = true
	p.holdUntil = time.Now().Add(restartAfter)
	return p.cmd.Process.Signal(sig) == nil
}

// pids returns each role's current process id (roles between processes
// are left out).
func (s *supervisor) pids() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for role, p := range s.procs {
		if p.cmd != nil {
			m[role] = p.cmd.Process.Pid
		}
	}
	return m
}

// unplanned returns the exits the suite did not ask for.
func (s *supervisor) unplanned() []exit {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []exit
	for _, e := range s.exits {
		if !e.planned {
			out = append(out, e)
		}
	}
	return out
}

// stop ends every process: SIGTERM, and SIGKILL after 15 s.
func (s *supervisor) stop() error {
	s.mu.Lock()
	s.stopping = true
	for _, p := range s.procs {
		if p.cmd != nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-time.After(30 * time.Second): // the 30 s Heroku and Kubernetes allow
	}
	s.mu.Lock()
	var stuck []string
	for _, p := range s.procs {
		if p.cmd != nil {
			stuck = append(stuck, p.role)
			p.cmd.Process.Kill()
		}
	}
	s.mu.Unlock()
	<-done
	return fmt.Errorf("faults: %v did not stop within 30 s of SIGTERM", stuck)
}

// opsAddrs are the roles' ops listeners, by role.
func (s *supervisor) opsAddrs() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for role, p := range s.procs {
		for _, e := range p.env {
			if addr, ok := strings.CutPrefix(e, "DARGO_OPS_ADDR="); ok {
				out[role] = addr
			}
		}
	}
	return out
}
