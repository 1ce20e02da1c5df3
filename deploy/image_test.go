package deploy

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestContainerfile checks the image's recipe without building it (CI
// builds and runs it: .ci/run, deploy/image/check.sh): FROM scratch, a
// numeric non-root user that build.sh writes into /etc/passwd, the binary
// as entrypoint, the web and every ops port exposed, and the OCI labels.
func TestContainerfile(t *testing.T) {
	b, err := os.ReadFile("../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	inst := map[string][]string{}
	for line := range strings.Lines(strings.ReplaceAll(string(b), "\\\n", " ")) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		inst[word] = append(inst[word], strings.TrimSpace(rest))
	}
	if got := inst["FROM"]; !slices.Equal(got, []string{"scratch"}) {
		t.Errorf("FROM %v, want scratch", got)
	}
	user := inst["USER"]
	if len(user) != 1 {
		t.Fatalf("USER %v, want one", user)
	}
	uid, gid, _ := strings.Cut(user[0], ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 || gid != uid {
		t.Errorf("USER %s: want a numeric non-root uid:gid (Kubernetes' runAsNonRoot needs numbers)", user[0])
	}
	script, err := os.ReadFile("image/build.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(script), "uid="+uid+"\n") {
		t.Errorf("image/build.sh does not write user %s into /etc/passwd", uid)
	}
	if got := inst["ENTRYPOINT"]; !slices.Equal(got, []string{`["/dargo"]`}) {
		t.Errorf("ENTRYPOINT %v, want [\"/dargo\"]", got)
	}
	exposed := strings.Fields(strings.Join(inst["EXPOSE"], " "))
	want := []string{"8080"}
	for proc, addr := range opsDefaults(t) {
		if proc != "dev" {
			want = append(want, addr[strings.LastIndex(addr, ":")+1:])
		}
	}
	for _, p := range want {
		if !slices.Contains(exposed, p) {
			t.Errorf("EXPOSE %v lacks %s", exposed, p)
		}
	}
	labels := strings.Join(inst["LABEL"], " ")
	for _, l := range []string{"title", "description", "source", "version", "revision", "created"} {
		if !strings.Contains(labels, "org.opencontainers.image."+l+"=") {
			t.Errorf("no label org.opencontainers.image.%s", l)
		}
	}
	for _, s := range []string{"image/build.sh", "image/check.sh"} {
		if out, err := exec.Command("bash", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", s, err, out)
		}
	}
}
