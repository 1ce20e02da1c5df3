package outbound

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/store"
)

// motoRaw is one mail moto recorded: GET /moto-api/data.json has them under
// ses.RawMessage, with the exact bytes SendEmail was given in raw_data.
type motoRaw struct {
	ID           string   `json:"id"`
	Source       string   `json:"source"`
	Destinations []string `json:"destinations"`
	RawData      string   `json:"raw_data"`
}

// motoSent returns the raw mail moto recorded under SES MessageId id.
func motoSent(t testing.TB, endpoint, id string) motoRaw {
	t.Helper()
	resp, err := http.Get(endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var data struct {
		SES struct {
			RawMessage []motoRaw `json:"RawMessage"`
		} `json:"ses"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		t.Fatalf("moto data.json: %v", err)
	}
	for _, m := range data.SES.RawMessage {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("moto has no raw message %q among %d", id, len(data.SES.RawMessage))
	return motoRaw{}
}

// motoSES points the SDK at moto through the environment, as production
// does, creates the sending identity for acme.test and returns the sender.
func motoSES(t testing.TB) (*SES, string) {
	t.Helper()
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.test")})
	var exists *types.AlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		t.Fatalf("create identity: %v", err)
	}
	s, err := NewSESFromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s, endpoint
}

func TestSESMoto(t *testing.T) {
	s, endpoint := motoSES(t)
	ctx := context.Background()

	o := testOutgoing(store.EmailReply)
	o.Ticket.Subject = "Drucker kaputt – schon wieder"
	o.ThreadIDs = []string{"cust-1@example.org", "0100018f-aaaa@amazonses.com", "cust-2@example.org"}
	o.InReplyTo = "cust-2@example.org"
	bin := make([]byte, 200<<10)
	rand.Read(bin)
	o.Attachments = append(o.Attachments, store.File{Attachment: store.Attachment{Filename: "Rechnung März.bin", ContentType: "application/octet-stream"}, Data: bin})
	m, err := Build(o, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Send(ctx, "support@acme.test", []string{"zoe@example.org"}, raw)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if id == "" {
		t.Fatal("empty MessageId")
	}

	got := motoSent(t, endpoint, id)
	if got.RawData != string(raw) {
		t.Fatalf("moto recorded %d bytes that differ from the %d sent", len(got.RawData), len(raw))
	}
	if got.Source != "support@acme.test" || !slices.Contains(got.Destinations, "zoe@example.org") {
		t.Errorf("source %q destinations %v", got.Source, got.Destinations)
	}
	checkLines(t, []byte(got.RawData))
	p := parse(t, []byte(got.RawData))
	h := p.header
	if s, _ := h.Subject(); s != "Re: [#42] Drucker kaputt – schon wieder" {
		t.Errorf("Subject = %q", s)
	}
	if !strings.HasPrefix(h.Get("Subject"), "=?utf-8?") {
		t.Errorf("raw Subject not RFC 2047: %q", h.Get("Subject"))
	}
	rt, _ := h.AddressList("Reply-To")
	if len(rt) != 1 {
		t.Fatalf("Reply-To = %q", h.Get("Reply-To"))
	}
	if n, ok := replyaddr.Parse("secret", "acme.test", rt[0].Address); !ok || n != 42 {
		t.Errorf("Reply-To %q is not ticket 42's reply address", rt[0].Address)
	}
	if mid, _ := h.MessageID(); mid != m.MessageID {
		t.Errorf("Message-ID = %q, want %q", mid, m.MessageID)
	}
	if irt, _ := h.MsgIDList("In-Reply-To"); !slices.Equal(irt, []string{"cust-2@example.org"}) {
		t.Errorf("In-Reply-To = %v", irt)
	}
	if refs, _ := h.MsgIDList("References"); !slices.Equal(refs, o.ThreadIDs) {
		t.Errorf("References = %v", refs)
	}
	if h.Has("Auto-Submitted") || h.Get("X-Auto-Response-Suppress") != "All" {
		t.Errorf("auto headers: Auto-Submitted %q, X-Auto-Response-Suppress %q", h.Get("Auto-Submitted"), h.Get("X-Auto-Response-Suppress"))
	}
	to, _ := h.AddressList("To")
	if len(to) != 1 || to[0].Name != "Zoë Müller" || !strings.Contains(h.Get("To"), "=?utf-8?") {
		t.Errorf("To = %q", h.Get("To"))
	}
	want := []string{"multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf", "application/octet-stream"}
	if !slices.Equal(p.types(), want) {
		t.Errorf("structure = %v", p.types())
	}
	att := p.find(t, "application/octet-stream")
	if att.filename != "Rechnung März.bin" || !bytes.Equal(att.body, bin) {
		t.Errorf("attachment %q: %d bytes, equal %v", att.filename, len(att.body), bytes.Equal(att.body, bin))
	}
	if text := p.find(t, "text/plain"); !strings.Contains(string(text.body), "> It still jams.") {
		t.Errorf("text part:\n%s", text.body)
	}
}

func TestSESMotoUnverifiedSender(t *testing.T) {
	s, _ := motoSES(t)
	m := testMail()
	m.From.Email = "someone@unverified.test"
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	before, timed := sesErrorCounts(), sendDurations(t)
	_, err = s.Send(context.Background(), m.From.Email, []string{m.To.Email}, raw)
	if !IsPermanent(err) {
		t.Errorf("sending from an unverified identity: %v, want a permanent error", err)
	}
	checkSESErrorCounted(t, before, "permanent")
	if d := sendDurations(t) - timed; d != 1 {
		t.Errorf("SES send duration samples +%d, want +1", d)
	}
}
