package testaws

import (
	"net/http"
	"os"
	"testing"
	"time"
)

// TestMoto: the emulator answers. Its data.json dumps every service's
// state, and can fail with a 500 while another package's test changes that
// state in the shared emulator (CI runs packages at once), so a 5xx is
// asked again a few times.
func TestMoto(t *testing.T) {
	endpoint := Moto(t)
	status := ""
	for range 10 {
		resp, err := http.Get(endpoint + "/moto-api/data.json")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		status = resp.Status
		if resp.StatusCode < 500 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("data.json: %s", status)
}

func TestMotoURLFromEnv(t *testing.T) {
	t.Setenv("DARGO_TEST_MOTO_URL", "http://127.0.0.1:9/")
	if got := Moto(t); got != "http://127.0.0.1:9" {
		t.Errorf("Moto = %q", got)
	}
}

func TestEnv(t *testing.T) {
	Env(t, "http://127.0.0.1:9")
	for k, want := range map[string]string{
		"AWS_REGION":             "us-east-1",
		"AWS_ACCESS_KEY_ID":      "testing",
		"AWS_ENDPOINT_URL_SESV2": "http://127.0.0.1:9",
		"AWS_ENDPOINT_URL_SQS":   "http://127.0.0.1:9",
		"AWS_ENDPOINT_URL_S3":    "http://127.0.0.1:9",
	} {
		if got := os.Getenv(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}
