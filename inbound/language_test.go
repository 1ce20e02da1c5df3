package inbound

import "testing"

func TestLanguage(t *testing.T) {
	for _, tc := range []struct {
		name, field, text, want string
	}{
		{"header wins", "de-DE", "Hello, my printer is broken and I need help.", "de"},
		{"first tag only", "fr, en", "", "fr"},
		{"unsupported header falls back to the text", "it", "Hola, mi impresora no funciona. Gracias por la ayuda.", "es"},
		{"english", "", "Hello, my printer is broken and I have tried everything. Can you help?", "en"},
		{"german", "", "Hallo, mein Drucker druckt nicht mehr. Ich habe ihn schon neu gestartet. Danke!", "de"},
		{"french", "", "Bonjour, je ne peux pas me connecter à mon compte. Merci pour votre aide.", "fr"},
		{"spanish", "", "Hola, no puedo entrar en mi cuenta desde ayer. Muchas gracias por su ayuda.", "es"},
		{"umlauts and punctuation", "", "Für mich ist das nicht klar — bitte prüfen!", "de"},
		{"too little to tell", "", "ok", ""},
		{"a tie tells nothing", "", "the der", ""},
		{"empty", "", "", ""},
		{"italian is none of ours", "", "Buongiorno, la stampante non funziona più.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Language(tc.field, tc.text); got != tc.want {
				t.Errorf("Language(%q, %q) = %q, want %q", tc.field, tc.text, got, tc.want)
			}
		})
	}
}

func BenchmarkDetectLanguage(b *testing.B) {
	text := "Hallo, mein Drucker druckt nicht mehr. Ich habe ihn schon neu gestartet, aber es geht noch immer nicht. Können Sie mir bitte helfen? Danke!"
	for b.Loop() {
		DetectLanguage(text)
	}
}
