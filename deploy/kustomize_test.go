package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestKustomizeImage builds both kustomizations with kubectl, after
// pointing image/kustomization.yaml at another registry and tag as an
// operator would, and checks that the migrate Job and every Deployment run
// that image, and that the migrate build brings the namespace and
// dargo-config the Job reads.
func TestKustomizeImage(t *testing.T) {
	kubectl := tool(t, "kubectl", "https://kubernetes.io/docs/tasks/tools/")
	dir := filepath.Join(t.TempDir(), "kubernetes")
	if err := os.CopyFS(dir, os.DirFS("kubernetes")); err != nil {
		t.Fatal(err)
	}
	const image = "registry.example.com/dargo:9.9.9"
	component := filepath.Join(dir, "image", "kustomization.yaml")
	b, err := os.ReadFile(component)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "  - name: dargo\n    newTag: latest\n",
		"  - name: dargo\n    newName: registry.example.com/dargo\n    newTag: 9.9.9\n", 1)
	if edited == string(b) {
		t.Fatal("image/kustomization.yaml no longer sets `newTag: latest` for the image dargo")
	}
	if err := os.WriteFile(component, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}

	build := func(sub string) map[string]object {
		t.Helper()
		out, err := exec.Command(kubectl, "kustomize", filepath.Join(dir, sub)).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("kubectl kustomize %s: %v\n%s", sub, err, ee.Stderr)
			}
			t.Fatal(err)
		}
		objs := map[string]object{}
		dec := yaml.NewDecoder(bytes.NewReader(out))
		for {
			var o object
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("kubectl kustomize %s: %v", sub, err)
			}
			objs[o.Kind+"/"+o.Metadata.Name] = o
		}
		return objs
	}
	rollout, migrate := build("."), build("migrate")

	job, ok := migrate["Job/dargo-migrate"]
	if !ok {
		t.Fatal("kubectl kustomize migrate: no Job dargo-migrate")
	}
	if got := job.Spec.Template.Spec.Containers[0].Image; got != image {
		t.Errorf("the migrate Job runs %q, want %q", got, image)
	}
	for _, want := range []string{"Namespace/dargo", "ConfigMap/dargo-config"} {
		if _, ok := migrate[want]; !ok {
			t.Errorf("kubectl kustomize migrate: no %s, which the Job needs first", want)
		}
	}
	deployments := 0
	for key, o := range rollout {
		if o.Kind == "Job" {
			t.Errorf("kubectl kustomize .: %s would start with the rollout", key)
		}
		if o.Kind != "Deployment" {
			continue
		}
		deployments++
		if got := o.Spec.Template.Spec.Containers[0].Image; got != image {
			t.Errorf("%s runs %q, want %q (the migrate Job's)", key, got, image)
		}
	}
	if deployments == 0 {
		t.Error("kubectl kustomize .: no Deployments")
	}
}

var kubectlFile = regexp.MustCompile(`\s-[fk]\s+(deploy/kubernetes\S*)`)

// TestKubernetesCommands checks the commands the README's Kubernetes
// section and migrate/kustomization.yaml show: the files and directories
// they apply exist, and the old Job is deleted, the migrate Job applied
// and waited for, before the rollout.
func TestKubernetesCommands(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n### Kubernetes\n")
	section, _, _ = strings.Cut(section, "\n### ")
	_, block, _ := strings.Cut(section, "```\n")
	block, _, ok := strings.Cut(block, "```")
	if !ok {
		t.Fatal("README: no command block under ### Kubernetes")
	}
	comment, err := os.ReadFile("kubernetes/migrate/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"README": block, "migrate/kustomization.yaml": string(comment)} {
		var lines []string
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#")); strings.HasPrefix(l, "kubectl ") {
				lines = append(lines, l)
			}
		}
		for _, l := range lines {
			for _, m := range kubectlFile.FindAllStringSubmatch(" "+l, -1) {
				if _, err := os.Stat(filepath.Join("..", m[1])); err != nil {
					t.Errorf("%s: %q names %s, which does not exist", where, l, m[1])
				}
			}
		}
		order := []string{
			"kubectl -n dargo delete job dargo-migrate --ignore-not-found",
			"kubectl apply -k deploy/kubernetes/migrate",
			"kubectl -n dargo wait --for=condition=complete job/dargo-migrate",
			"kubectl apply -k deploy/kubernetes",
		}
		next := 0
		for _, l := range lines {
			if next < len(order) && (l == order[next] || strings.HasPrefix(l, order[next]+" ")) {
				next++
			}
		}
		if next < len(order) {
			t.Errorf("%s: want, in this order, %q; found up to %d of them in %q", where, order, next, lines)
		}
	}
}
