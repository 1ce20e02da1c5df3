package useragent_test

import (
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/internal/useragent"
)

// Real User-Agent headers, as the browsers and tools send them.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, ua string
		want     useragent.Agent
		describe string
	}{
		{"Chrome on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			useragent.Agent{"Chrome", "macOS", "desktop"}, "Chrome on macOS, desktop"},
		{"Safari on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
			useragent.Agent{"Safari", "iOS", "mobile"}, "Safari on iOS, mobile"},
		{"Safari on iPad", "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
			useragent.Agent{"Safari", "iOS", "tablet"}, "Safari on iOS, tablet"},
		{"Firefox on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
			useragent.Agent{"Firefox", "Windows", "desktop"}, "Firefox on Windows, desktop"},
		{"Edge on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
			useragent.Agent{"Edge", "Windows", "desktop"}, "Edge on Windows, desktop"},
		// Galaxy Tab S8: Android without "Mobile" is a tablet.
		{"Samsung Internet on an Android tablet", "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
			useragent.Agent{"Samsung Internet", "Android", "tablet"}, "Samsung Internet on Android, tablet"},
		{"Samsung Internet on an Android phone", "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
			useragent.Agent{"Samsung Internet", "Android", "mobile"}, "Samsung Internet on Android, mobile"},
		{"curl", "curl/8.5.0", useragent.Agent{"", "", "bot"}, "Unknown browser, bot"},
		{"Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			useragent.Agent{"", "", "bot"}, "Unknown browser, bot"},
		{"empty", "", useragent.Agent{"", "", "unknown"}, "Unknown browser, unknown device"},
		{"blank", "   ", useragent.Agent{"", "", "unknown"}, "Unknown browser, unknown device"},
		{"garbage", "}{%%$# not a browser ☃ \x00\xff", useragent.Agent{"", "", "unknown"}, "Unknown browser, unknown device"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := useragent.Parse(c.ua)
			if got != c.want {
				t.Errorf("Parse = %+v, want %+v", got, c.want)
			}
			if d := got.Describe(); d != c.describe {
				t.Errorf("Describe = %q, want %q", d, c.describe)
			}
		})
	}
}

func ExampleDescribe() {
	fmt.Println(useragent.Describe("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"))
	// Output: Chrome on macOS, desktop
}

func BenchmarkParse(b *testing.B) {
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
	useragent.Parse(ua)
	b.ReportAllocs()
	for b.Loop() {
		useragent.Parse(ua)
	}
}
