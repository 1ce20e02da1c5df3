package mailparse

import "testing"

func TestVisibleText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no quote", "Hello\nworld\n\n", "Hello\nworld"},
		{"english gmail", "Thanks!\n\nOn Mon, Jan 5, 2026 at 10:00 AM Anna <a@x.example> wrote:\n> hi\n", "Thanks!"},
		{"english wrapped", "Thanks!\n\nOn Mon, Jan 5, 2026 at 10:00 AM Anna from Support <\na@x.example> wrote:\n\n> hi\n", "Thanks!"},
		{"english apple", "Ok.\n\n> On 5. Jan 2026, at 14:20, Anna <a@x.example> wrote:\n>\n> hi\n", "Ok."},
		{"german", "Danke.\n\nAm 05.01.2026 um 10:00 schrieb Anna <a@x.example>:\n> Hallo\n", "Danke."},
		{"german gmail", "Danke.\n\nAm Mo., 5. Jan. 2026 um 10:00 Uhr schrieb Anna <\na@x.example>:\n\n> Hallo\n", "Danke."},
		{"french nbsp", "Merci.\n\nLe lun. 5 janv. 2026 à 10:00, Anna <a@x.example> a\u00a0écrit\u00a0:\n> Bonjour\n", "Merci."},
		{"spanish", "Gracias.\n\nEl lun, 5 ene 2026 a las 10:00, Anna (<a@x.example>)\nescribió:\n> Hola\n", "Gracias."},
		{"italian", "Grazie.\n\nIl giorno lun 5 gen 2026 alle ore 10:00 Anna <a@x.example> ha scritto:\n> Ciao\n", "Grazie."},
		{"dutch", "Bedankt.\n\nOp ma 5 jan 2026 om 10:00 schreef Anna <a@x.example>:\n> Hoi\n", "Bedankt."},
		{"portuguese", "Obrigado.\n\nEm seg., 5 de jan. de 2026 às 10:00, Anna <a@x.example> escreveu:\n> Olá\n", "Obrigado."},
		{"swedish", "Tack.\n\nDen 5 jan. 2026 kl. 10:00 skrev Anna <a@x.example>:\n> Hej\n", "Tack."},
		{"norwegian gmail", "Takk.\n\ntir. 5. jan. 2026 kl. 10:00 skrev Anna <a@x.example>:\n> Hei\n", "Takk."},
		{"polish", "Dzięki.\n\nW dniu 5.01.2026 o 10:00, Anna pisze napisał(a):\n> Cześć\n", "Dzięki."},
		{"japanese gmail", "ありがとうございます。\n\n2026年1月5日(月) 10:00 Anna <a@x.example>:\n> こんにちは\n", "ありがとうございます。"},
		{"japanese apple", "承知しました。\n\n2026/01/05 10:00、Anna <a@x.example>のメッセージ:\n\n> こんにちは\n", "承知しました。"},
		{"japanese thunderbird", "了解です。\n\n2026/01/05 10:00 に Anna さんは書きました:\n> こんにちは\n", "了解です。"},
		{"japanese wrote", "了解です。\n\nAnna <a@x.example> wrote:\n> hi\n", "了解です。"},
		{"outlook english", "Fine.\n\nFrom: Anna <a@x.example>\nSent: Monday, January 5, 2026 10:00 AM\nTo: Tom <t@x.example>\nSubject: RE: x\n\nold text\n", "Fine."},
		{"outlook bold gmail", "Fine.\n\n*From:* Anna <a@x.example>\n*Sent:* Monday, January 5, 2026 10:00 AM\n*To:* Tom\n*Subject:* RE: x\n\nold\n", "Fine."},
		{"outlook german", "Gut.\n\nVon: Anna <a@x.example>\nGesendet: Montag, 5. Januar 2026 10:00\nAn: Tom\nBetreff: AW: x\n\nalt\n", "Gut."},
		{"outlook french", "Bien.\n\nDe : Anna <a@x.example>\nEnvoyé : lundi 5 janvier 2026 10:00\nÀ : Tom\nObjet : RE: x\n\nvieux\n", "Bien."},
		{"outlook spanish", "Bien.\n\nDe: Anna <a@x.example>\nEnviado el: lunes, 5 de enero de 2026 10:00\nPara: Tom\nAsunto: RE: x\n\nviejo\n", "Bien."},
		{"outlook italian", "Bene.\n\nDa: Anna <a@x.example>\nInviato: lunedì 5 gennaio 2026 10:00\nA: Tom\nOggetto: R: x\n\nvecchio\n", "Bene."},
		{"outlook dutch", "Goed.\n\nVan: Anna <a@x.example>\nVerzonden: maandag 5 januari 2026 10:00\nAan: Tom\nOnderwerp: RE: x\n\noud\n", "Goed."},
		{"outlook swedish", "Bra.\n\nFrån: Anna <a@x.example>\nSkickat: den 5 januari 2026 10:00\nTill: Tom\nÄmne: SV: x\n\ngammal\n", "Bra."},
		{"outlook japanese", "了解。\n\n差出人: Anna <a@x.example>\n送信日時: 2026年1月5日 10:00\n宛先: Tom\n件名: RE: x\n\n古い\n", "了解。"},
		{"underscore line", "Ok.\n\n________________________________\nFrom: Anna <a@x.example>\nSent: Monday\nTo: Tom\n\nold\n", "Ok."},
		{"original message", "Ok.\n\n-----Original Message-----\nFrom: Anna\nold\n", "Ok."},
		{"ursprüngliche", "Ok.\n\n-----Ursprüngliche Nachricht-----\nVon: Anna\nalt\n", "Ok."},
		{"message d'origine", "Ok.\n\n-----Message d'origine-----\nDe : Anna\n", "Ok."},
		{"mensaje original", "Ok.\n\n-----Mensaje original-----\nDe: Anna\n", "Ok."},
		{"messaggio originale", "Ok.\n\n-----Messaggio originale-----\nDa: Anna\n", "Ok."},
		{"oorspronkelijk bericht", "Ok.\n\n-----Oorspronkelijk bericht-----\nVan: Anna\n", "Ok."},
		{"mensagem original", "Ok.\n\n-----Mensagem original-----\nDe: Anna\n", "Ok."},
		{"trailing quote", "Sure.\n\n> old line 1\n>\n> old line 2\n\n", "Sure."},
		{"trailing quote with loose attribution", "Sure.\n\n2026-01-05 10:00 GMT+01:00 Anna <a@x.example>:\n> old\n", "Sure."},
		{"interleaved kept", "> q1\na1\n\n> q2\na2\n", "> q1\na1\n\n> q2\na2"},
		{"interleaved trailing removed", "> q1\na1\n\n> q2\n", "> q1\na1"},
		{"mobile signature kept", "Yes.\n\nSent from my iPhone\n\n> On Jan 5, 2026, at 10:00, Anna <a@x.example> wrote:\n> hi\n", "Yes.\n\nSent from my iPhone"},
		{"android signature kept", "Yes.\n\nSent from my Galaxy\n\nOn Mon, 5 Jan 2026, 10:00 Anna, <a@x.example> wrote:\n> hi\n", "Yes.\n\nSent from my Galaxy"},
		{"all quote keeps full", "> only\n> quoted\n", "> only\n> quoted"},
		{"only attribution keeps full", "On Mon, Jan 5, 2026 Anna <a@x.example> wrote:\nhello\n", "On Mon, Jan 5, 2026 Anna <a@x.example> wrote:\nhello"},
		{"crlf", "Hi\r\n\r\nOn Mon, Jan 5, 2026 Anna <a@x.example> wrote:\r\n> x\r\n", "Hi"},
		{"trailing spaces trimmed", "Hi   \nthere \t\n\n\n", "Hi\nthere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VisibleText(tt.in); got != tt.want {
				t.Errorf("VisibleText()\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestVisibleTextKeepsForwards(t *testing.T) {
	tests := []string{
		"FYI\n\n---------- Forwarded message ---------\nFrom: Karen <k@x.example>\nDate: Mon, Jan 5, 2026\nSubject: Refund\nTo: <s@x.example>\n\nPlease refund.\n",
		"Begin forwarded message:\n\nFrom: Lena <l@x.example>\nSubject: Login\nDate: 5 January 2026\nTo: info@x.example\n\nHelp\n",
		"-------- Weitergeleitete Nachricht --------\nBetreff: x\nDatum: Mon, 5 Jan 2026\nVon: A <a@x.example>\nAn: b@x.example\n\nInhalt\n",
		"-------- Message transféré --------\nSujet : x\nDate : lun.\nDe : A <a@x.example>\n\ncontenu\n",
		"---------- Mensaje reenviado ----------\nDe: A <a@x.example>\nDate: lun\nSubject: x\nTo: b@x.example\n\ncontenido\n",
		"Inizio messaggio inoltrato:\n\nDa: A <a@x.example>\nOggetto: x\nData: 5 gennaio 2026\nA: b@x.example\n\ncontenuto\n",
		"Anfang der weitergeleiteten Nachricht:\n\nVon: A <a@x.example>\nBetreff: x\nDatum: 5. Januar 2026\nAn: b@x.example\n\nInhalt\n",
		"Begin doorgestuurd bericht:\n\nVan: A <a@x.example>\nOnderwerp: x\nDatum: 5 januari 2026\nAan: b@x.example\n\ninhoud\n",
		"Início da mensagem reencaminhada:\n\nDe: A <a@x.example>\nAssunto: x\nData: 5 de janeiro de 2026\nPara: b@x.example\n\nconteúdo\n",
	}
	for _, in := range tests {
		if got, want := VisibleText(in), tidy(in); got != want {
			t.Errorf("forward was cut:\n got: %q\nwant: %q", got, want)
		}
	}
}

func TestForwardSubjectKeepsText(t *testing.T) {
	text := "________________________________\nFrom: Anna <a@x.example>\nSent: Monday\nTo: Tom\nSubject: x\n\nPlease refund."
	for _, subj := range []string{"Fwd: x", "FW: x", "WG: x", "TR: x", "RV: x", "Fw : x"} {
		if got := chooseVisible(text, nil, subj); got != text {
			t.Errorf("subject %q: got %q", subj, got)
		}
	}
	if got := chooseVisible(text, nil, "Re: Fwd: x"); got != text {
		// nothing above the header block: the whole text stays
		t.Errorf("reply to forward: got %q", got)
	}
}
