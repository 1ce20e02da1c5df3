package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// drain is how long each process takes to stop after SIGTERM, at most: a
// unit's TimeoutStopSec and a pod's terminationGracePeriodSeconds must
// exceed it. web: srv.Shutdown's 20 s (cmd_web.go); worker: asynq's
// ShutdownTimeout, 20 s (jobs/worker.go); inbound: the consumer's Grace,
// 25 s (inbound/transport/sqs_consumer.go); scheduler: it only stops its timer.
var drain = map[string]int{"web": 20, "worker": 20, "inbound": 25, "scheduler": 0}

// unit is a systemd unit file: each section's keys with their values in
// order (a key may repeat).
type unit map[string]map[string][]string

func readUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not KEY=VALUE in a section: %q", path, n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

// get is the last value of key (what systemd uses for a single-valued key).
func (u unit) get(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// words is every space-separated value of key in section.
func (u unit) words(section, key string) []string {
	var w []string
	for _, v := range u[section][key] {
		w = append(w, strings.Fields(v)...)
	}
	return w
}

const unitBinary = "/usr/local/bin/dargo"

// TestSystemdUnits checks deploy/systemd: a unit per Procfile process that
// runs its command (release: a oneshot migrate the others come after),
// with the ops port of cmd/dargo/ops.go as the default DARGO_OPS_ADDR
// (overridable in the process's own environment file) probed on /readyz,
// the shared environment file, the sandbox, restarts, and a stop timeout above the
// process's drain; and dargo.target pulling them all in.
func TestSystemdUnits(t *testing.T) {
	commands := dargoCommands(t)
	ops := opsDefaults(t)
	target := readUnit(t, "systemd/dargo.target")
	ports := map[string]bool{}
	for proc, cmd := range procfile(t) {
		name := "dargo-" + proc + ".service"
		if proc == "release" {
			name = "dargo-" + cmd + ".service"
		}
		t.Run(name, func(t *testing.T) {
			u := readUnit(t, filepath.Join("systemd", name))
			if got, want := u.get("Service", "ExecStart"), unitBinary+" "+cmd; got != want {
				t.Errorf("ExecStart=%s, want %s (Procfile: dargo %s)", got, want, cmd)
			}
			if !slices.Contains(commands, cmd) {
				t.Errorf("dargo has no command %q", cmd)
			}
			for key, want := range map[string]string{
				"User":            "dargo",
				"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
				"ProtectHome": "yes", "CapabilityBoundingSet": "",
			} {
				if vs, ok := u["Service"][key]; !ok || vs[len(vs)-1] != want {
					t.Errorf("%s=%v, want %q", key, vs, want)
				}
			}
			if env := u["Service"]["EnvironmentFile"]; len(env) == 0 || env[0] != "/etc/dargo/dargo.env" {
				t.Errorf("EnvironmentFile=%v, want /etc/dargo/dargo.env first", env)
			}
			if !slices.Contains(target.words("Unit", "Wants"), name) || !slices.Contains(u.words("Install", "WantedBy"), "dargo.target") {
				t.Errorf("dargo.target does not pull in %s, or it is not WantedBy dargo.target", name)
			}
			if proc == "release" {
				if u.get("Service", "Type") != "oneshot" {
					t.Errorf("Type=%s, want oneshot", u.get("Service", "Type"))
				}
				return
			}
			if !slices.Contains(u.words("Unit", "After"), "dargo-migrate.service") || !slices.Contains(u.words("Unit", "Wants"), "dargo-migrate.service") {
				t.Error("not After= and Wants= dargo-migrate.service")
			}
			port := opsPort(t, ops, proc)
			if ports[port] {
				t.Errorf("ops port %s used twice", port)
			}
			ports[port] = true
			// The default ops address, which the process's own optional
			// file overrides (systemd: EnvironmentFile= values win over
			// Environment=, later files over earlier ones), and the
			// readiness check on whichever address the process got.
			if !slices.Contains(u["Service"]["Environment"], "DARGO_OPS_ADDR=127.0.0.1:"+port) {
				t.Errorf("Environment=%v lacks DARGO_OPS_ADDR=127.0.0.1:%s", u["Service"]["Environment"], port)
			}
			if own := "-/etc/dargo/dargo-" + proc + ".env"; u.get("Service", "EnvironmentFile") != own {
				t.Errorf("EnvironmentFile=%v, want %s last (DARGO_OPS_ADDR of this process)", u["Service"]["EnvironmentFile"], own)
			}
			post := u.get("Service", "ExecStartPost")
			if !strings.HasSuffix(post, " http://${DARGO_OPS_ADDR}/readyz") || !strings.Contains(post, "--fail") {
				t.Errorf("ExecStartPost=%s: want a curl --fail of http://${DARGO_OPS_ADDR}/readyz", post)
			}
			if strings.Contains(post, "127.0.0.1") {
				t.Errorf("ExecStartPost=%s names an address; it must follow DARGO_OPS_ADDR", post)
			}
			if u.get("Service", "Restart") != "on-failure" || u.get("Service", "KillSignal") != "SIGTERM" {
				t.Errorf("Restart=%s KillSignal=%s, want on-failure and SIGTERM", u.get("Service", "Restart"), u.get("Service", "KillSignal"))
			}
			stop, err := strconv.Atoi(u.get("Service", "TimeoutStopSec"))
			d, ok := drain[proc]
			if err != nil || !ok || stop < d+5 {
				t.Errorf("TimeoutStopSec=%s, want at least %d s (the drain, %d s, and a margin)", u.get("Service", "TimeoutStopSec"), d+5, d)
			}
		})
	}
}

// TestSystemdVerify runs systemd-analyze verify on the units (with the
// binary's path pointed at a stand-in, as verify checks that it exists)
// and fails on any complaint, since unknown keys are only warnings. The
// go-svc machines and CI have systemd.
func TestSystemdVerify(t *testing.T) {
	analyze := tool(t, "systemd-analyze", "apt-get install systemd")
	dir := t.TempDir()
	bin := filepath.Join(dir, "dargo")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil { // #nosec G306 -- a stand-in executable
		t.Fatal(err)
	}
	files, err := filepath.Glob("systemd/dargo*")
	if err != nil || len(files) < 6 {
		t.Fatalf("units: %v %v", files, err)
	}
	var paths []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), unitBinary, bin)), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command(analyze, append([]string{"verify", "--man=no"}, paths...)...)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
