package deploy

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// object is the part of a Kubernetes object the test reads; fields of
// other kinds stay zero.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Strategy struct {
			Type string `yaml:"type"`
		} `yaml:"strategy"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
		// Service
		Selector any `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
		// HorizontalPodAutoscaler
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		Metrics []struct {
			Type     string `yaml:"type"`
			External struct {
				Metric struct {
					Name     string `yaml:"name"`
					Selector struct {
						MatchLabels map[string]string `yaml:"matchLabels"`
					} `yaml:"selector"`
				} `yaml:"metric"`
			} `yaml:"external"`
		} `yaml:"metrics"`
	} `yaml:"spec"`
	// Kustomization
	Resources []string `yaml:"resources"`
	// ConfigMap
	Data map[string]string `yaml:"data"`
}

type podSpec struct {
	TerminationGracePeriodSeconds *int `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot *bool `yaml:"runAsNonRoot"`
		RunAsUser    int   `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []container `yaml:"containers"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Args    []string `yaml:"args"`
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Env []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

func (c container) env(name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func (c container) port(name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

// readObjects decodes every YAML document of every *.yaml file under dir,
// keyed by "Kind/name" ("Kind/" and the file's directory for a
// Kustomization or Component, which have no name); it also returns the
// file each came from, relative to dir.
func readObjects(t *testing.T, dir string) (objs map[string]object, files map[string]string) {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	objs, files = map[string]object{}, map[string]string{}
	for _, p := range paths {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(f)
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				t.Fatalf("%s: %v", p, err)
			}
			key := o.Kind + "/" + o.Metadata.Name
			if o.Kind == "Kustomization" || o.Kind == "Component" {
				key = o.Kind + "/" + filepath.Dir(rel)
			}
			if o.Kind == "" || (o.Metadata.Name == "" && o.Kind != "Kustomization" && o.Kind != "Component") {
				t.Errorf("%s: a document without kind or name", p)
			}
			if _, dup := objs[key]; dup {
				t.Errorf("%s: %s defined twice", p, key)
			}
			objs[key], files[key] = o, rel
		}
		f.Close()
	}
	return objs, files
}

// TestKubernetes checks deploy/kubernetes against the code: a Deployment
// per long-running Procfile process (release: the migrate Job) running
// that dargo command in one image, its ops port (cmd/dargo/ops.go) set in
// DARGO_OPS_ADDR on 0.0.0.0 and probed on /healthz and /readyz, scraped
// through the prometheus.io annotations, the restricted security context,
// a grace period above the drain, and the worker's autoscaler on a family
// Dargo exports.
func TestKubernetes(t *testing.T) {
	objs, files := readObjects(t, "kubernetes")
	commands := dargoCommands(t)
	ops := opsDefaults(t)
	known := knownFamilies(t)
	images := map[string]bool{}

	checkContainer := func(t *testing.T, c container, cmd string) {
		t.Helper()
		images[c.Image] = true
		if len(c.Args) != 1 || c.Args[0] != cmd || !slices.Contains(commands, c.Args[0]) {
			t.Errorf("args %v, want [%s] (a dargo command)", c.Args, cmd)
		}
		sc := c.SecurityContext
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || !slices.Equal(sc.Capabilities.Drop, []string{"ALL"}) {
			t.Errorf("securityContext %+v: want no privilege escalation, a read-only root and capabilities drop ALL", sc)
		}
		var refs []string
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				refs = append(refs, "ConfigMap/"+e.ConfigMapRef.Name)
			}
			if e.SecretRef != nil {
				refs = append(refs, "Secret/"+e.SecretRef.Name)
			}
		}
		if !slices.Contains(refs, "ConfigMap/dargo-config") || !slices.Contains(refs, "Secret/dargo-secrets") {
			t.Errorf("envFrom %v: want ConfigMap/dargo-config and Secret/dargo-secrets", refs)
		}
		if _, ok := objs["ConfigMap/dargo-config"]; !ok {
			t.Error("no ConfigMap dargo-config")
		}
		if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
			t.Errorf("resources %+v: want cpu and memory requests and a memory limit", c.Resources)
		}
	}
	checkPod := func(t *testing.T, p podSpec) {
		t.Helper()
		if p.SecurityContext.RunAsNonRoot == nil || !*p.SecurityContext.RunAsNonRoot || p.SecurityContext.RunAsUser == 0 {
			t.Errorf("pod securityContext %+v: want runAsNonRoot and a numeric user", p.SecurityContext)
		}
		if len(p.Containers) != 1 {
			t.Fatalf("%d containers, want 1", len(p.Containers))
		}
	}

	for proc, cmd := range procfile(t) {
		if proc == "release" {
			t.Run("Job/dargo-"+cmd, func(t *testing.T) {
				job, ok := objs["Job/dargo-"+cmd]
				if !ok {
					t.Fatalf("no Job dargo-%s for the Procfile's release", cmd)
				}
				checkPod(t, job.Spec.Template.Spec)
				checkContainer(t, job.Spec.Template.Spec.Containers[0], cmd)
			})
			continue
		}
		key := "Deployment/dargo-" + proc
		t.Run(key, func(t *testing.T) {
			d, ok := objs[key]
			if !ok {
				t.Fatalf("no %s for the Procfile's %s", key, proc)
			}
			if d.Spec.Template.Metadata.Labels["app.kubernetes.io/component"] != proc {
				t.Errorf("pod label app.kubernetes.io/component=%q, want %q (Prometheus names the job after it)",
					d.Spec.Template.Metadata.Labels["app.kubernetes.io/component"], proc)
			}
			pod := d.Spec.Template.Spec
			checkPod(t, pod)
			c := pod.Containers[0]
			checkContainer(t, c, cmd)
			port, _ := strconv.Atoi(opsPort(t, ops, proc))
			if got := c.port("ops"); got != port {
				t.Errorf("containerPort ops %d, want %d (cmd/dargo/ops.go)", got, port)
			}
			if got, want := c.env("DARGO_OPS_ADDR"), fmt.Sprintf("0.0.0.0:%d", port); got != want {
				t.Errorf("DARGO_OPS_ADDR=%q, want %q", got, want)
			}
			for path, p := range map[string]*probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
				if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path ||
					(p.HTTPGet.Port != "ops" && p.HTTPGet.Port != port) {
					t.Errorf("probe of %s: %+v, want httpGet %s on the ops port", path, p, path)
				}
			}
			ann := d.Spec.Template.Metadata.Annotations
			if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/port"] != strconv.Itoa(port) || ann["prometheus.io/path"] != "/metrics" {
				t.Errorf("annotations %v: want prometheus.io scrape, port %d, path /metrics", ann, port)
			}
			if g := pod.TerminationGracePeriodSeconds; g == nil || *g < drain[proc]+5 {
				t.Errorf("terminationGracePeriodSeconds %v, want at least %d", g, drain[proc]+5)
			}
			if proc == "scheduler" && (d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != "Recreate") {
				t.Errorf("scheduler: want replicas 1 and strategy Recreate")
			}
			if proc == "web" {
				if c.port("http") != 8080 || c.env("DARGO_HTTP_ADDR") != "0.0.0.0:8080" {
					t.Errorf("web: want containerPort http 8080 and DARGO_HTTP_ADDR=0.0.0.0:8080")
				}
				svc, ok := objs["Service/dargo-web"]
				if !ok || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != "http" {
					t.Errorf("want a Service dargo-web onto the http port only, got %+v", svc.Spec.Ports)
				}
			}
		})
	}
	if len(images) != 1 {
		t.Errorf("containers run %d images, want one: %v", len(images), slices.Collect(maps.Keys(images)))
	}

	t.Run("HorizontalPodAutoscaler", func(t *testing.T) {
		hpa, ok := objs["HorizontalPodAutoscaler/dargo-worker"]
		if !ok || hpa.APIVersion != "autoscaling/v2" {
			t.Fatalf("no autoscaling/v2 HorizontalPodAutoscaler dargo-worker")
		}
		ref := hpa.Spec.ScaleTargetRef
		if _, ok := objs[ref.Kind+"/"+ref.Name]; !ok || ref.Name != "dargo-worker" {
			t.Errorf("scaleTargetRef %+v: want the Deployment dargo-worker", ref)
		}
		if len(hpa.Spec.Metrics) == 0 {
			t.Error("no metrics")
		}
		for _, m := range hpa.Spec.Metrics {
			f, ok := known[m.External.Metric.Name]
			if m.Type != "External" || !ok {
				t.Errorf("metric %s %q: want External on a family Dargo exports", m.Type, m.External.Metric.Name)
				continue
			}
			for l := range m.External.Metric.Selector.MatchLabels {
				if !slices.Contains(f.labels, l) {
					t.Errorf("metric %s has no label %s", m.External.Metric.Name, l)
				}
			}
		}
		if objs["Deployment/dargo-worker"].Spec.Replicas != nil {
			t.Error("Deployment dargo-worker sets replicas, which the autoscaler owns")
		}
	})

	t.Run("prometheus-adapter", func(t *testing.T) {
		var cfg struct {
			ExternalRules []struct {
				SeriesQuery string `yaml:"seriesQuery"`
			} `yaml:"externalRules"`
		}
		if err := yaml.Unmarshal([]byte(objs["ConfigMap/prometheus-adapter-dargo"].Data["config.yaml"]), &cfg); err != nil {
			t.Fatal(err)
		}
		if len(cfg.ExternalRules) == 0 {
			t.Fatal("no externalRules in prometheus-adapter.yaml")
		}
		for _, r := range cfg.ExternalRules {
			checkExpr(t, known, "prometheus-adapter seriesQuery", r.SeriesQuery)
		}
	})

	t.Run("Kustomization", func(t *testing.T) {
		// The migrate Job runs before a rollout, the adapter's rule lives
		// in the adapter's namespace: the rest is the rollout.
		want := map[string]bool{}
		for key, f := range files {
			if filepath.Base(f) != "kustomization.yaml" && f != "migrate/job.yaml" && f != "prometheus-adapter.yaml" {
				want[f] = true
			} else if !strings.HasPrefix(key, "Kustomization/") && !strings.HasPrefix(key, "Component/") && f != "migrate/job.yaml" && f != "prometheus-adapter.yaml" {
				t.Errorf("%s: %s in a kustomization.yaml", f, key)
			}
		}
		if got := kustomized(t, objs, "."); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
			t.Errorf("deploy/kubernetes takes in %v, want %v", got, slices.Sorted(maps.Keys(want)))
		}
		if got, want := kustomized(t, objs, "migrate"), []string{"base/config.yaml", "base/namespace.yaml", "migrate/job.yaml"}; !slices.Equal(got, want) {
			t.Errorf("deploy/kubernetes/migrate takes in %v, want %v", got, want)
		}
	})
}

// kustomized lists the manifest files the kustomization in dir (relative
// to deploy/kubernetes) takes in, following the directories among its
// resources.
func kustomized(t *testing.T, objs map[string]object, dir string) []string {
	t.Helper()
	k, ok := objs["Kustomization/"+dir]
	if !ok {
		t.Fatalf("no kustomization.yaml in %s", dir)
	}
	var out []string
	for _, r := range k.Resources {
		p := filepath.Join(dir, r)
		if _, ok := objs["Kustomization/"+p]; ok {
			out = append(out, kustomized(t, objs, p)...)
		} else {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
