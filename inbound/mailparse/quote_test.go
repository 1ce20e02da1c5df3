package mailparse

import (
	"strings"
	"testing"
)

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
		{"mobile signature removed", "Yes.\n\nSent from my iPhone\n\n> On Jan 5, 2026, at 10:00, Anna <a@x.example> wrote:\n> hi\n", "Yes."},
		{"android signature removed", "Yes.\n\nSent from my Galaxy\n\nOn Mon, 5 Jan 2026, 10:00 Anna, <a@x.example> wrote:\n> hi\n", "Yes."},
		{"all quote is empty", "> only\n> quoted\n", ""},
		{"attribution and quote only is empty", "On Mon, Oct 5, 2026 at 10:00 AM Anna <a@x.example> wrote:\n\n> hi\n", ""},
		{"sign-off and quote only is empty", "Sent from my iPhone\n\n> On 5 Oct 2026, at 10:00, Anna <a@x.example> wrote:\n> hi\n", ""},
		{"header block only keeps full", "From: Anna <a@x.example>\nSent: Monday\nTo: Tom\nSubject: x\n\nold\n", "From: Anna <a@x.example>\nSent: Monday\nTo: Tom\nSubject: x\n\nold"},
		// signatures that end the reply
		{"usenet delimiter", "Done.\n\n-- \nPete Novak\nhttps://pete.example\n", "Done."},
		{"usenet delimiter above quote", "Done.\n\n-- \nPete\n\nOn Mon, Oct 5, 2026 Anna <a@x.example> wrote:\n> hi\n", "Done."},
		{"usenet delimiter after interleaved", "> q1\na1\n\n-- \nPete\n", "> q1\na1"},
		{"dashes inside text stay", "Steps:\n--\n" + strings.Repeat("step\n", 12), "Steps:\n--\n" + strings.TrimSuffix(strings.Repeat("step\n", 12), "\n")},
		{"envoyé depuis", "Oui.\n\nEnvoyé depuis mon iPhone", "Oui."},
		{"envoyé de", "Oui.\n\nEnvoyé de mon iPad", "Oui."},
		{"von meinem mobilgerät", "Ja.\n\nVon meinem Mobilgerät gesendet", "Ja."},
		{"von meinem iphone", "Ja.\n\nVon meinem iPhone gesendet", "Ja."},
		{"enviado desde", "Sí.\n\nEnviado desde mi iPhone", "Sí."},
		{"inviato da", "Sì.\n\nInviato da iPhone", "Sì."},
		{"verzonden vanaf", "Ja.\n\nVerzonden vanaf mijn iPhone", "Ja."},
		{"wysłane z", "Tak.\n\nWysłane z iPhone'a", "Tak."},
		{"sendt fra", "Ja.\n\nSendt fra min iPhone", "Ja."},
		{"outlook mobile link", "Ok.\n\nSent from Outlook Mobile<https://aka.ms/blhgte>", "Ok."},
		{"outlook android", "Ok.\n\nSent from Outlook for Android", "Ok."},
		{"outlook ios link", "Ok.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Ok."},
		{"k-9", "Ok.\n\nSent from my Android device with K-9 Mail. Please excuse my brevity.", "Ok."},
		{"yahoo android", "Ok.\n\nSent from Yahoo Mail on Android", "Ok."},
		{"yahoo iphone", "Ok.\n\nSent from Yahoo Mail for iPhone", "Ok."},
		{"samsung", "Ok.\n\nSent from my Samsung Galaxy smartphone.", "Ok."},
		{"samsung via", "Ok.\n\nSent via the Samsung Galaxy S23, an AT&T 5G smartphone", "Ok."},
		{"blackberry", "Ok.\nSent from my BlackBerry", "Ok."},
		{"mail for windows", "Ok.\n\nSent from Mail for Windows", "Ok."},
		{"mail for windows link", "Ok.\n\nSent from Mail<https://go.microsoft.com/fwlink/?LinkId=550986> for Windows", "Ok."},
		{"gmail mobile", "Ok.\n\nSent from Gmail Mobile", "Ok."},
		{"sign-off mid text stays", "Ok.\n\nSent from my iPhone\n\nOne more thing: the crack is on the left.", "Ok.\n\nSent from my iPhone\n\nOne more thing: the crack is on the left."},
		{"sign-off in a sentence stays", "The mail was\nSent from my iPhone", "The mail was\nSent from my iPhone"},
		{"sent from text stays", "Sorry.\n\nSent from my office address.", "Sorry.\n\nSent from my office address."},
		{"lower-case sent from stays", "It went out.\nsent from my iphone", "It went out.\nsent from my iphone"},
		// quote headers
		{"zoho", "Ok.\n\n---- On Mon, 05 Oct 2026 10:00:00 +0200 Anna <anna@x.example> wrote ----\n\nold\n", "Ok."},
		{"german short name", "Danke.\n\nAnna Schmidt schrieb:\n\nalt\n", "Danke."},
		{"german short am", "Danke.\n\nAm 05.10.2026 um 10:00 schrieb Anna:\n\nalt\n", "Danke."},
		{"outlook dashes", "Ok.\n\n------------------------------\nFrom: Anna <a@x.example>\nSent: Monday\nTo: Tom\nSubject: x\n\nold\n", "Ok."},
		{"outlook underscores von", "Ok.\n\n________________________________\nVon: Anna <a@x.example>\nGesendet: Montag\nAn: Tom\n\nalt\n", "Ok."},
		{"outlook dashes od", "Ok.\n\n------------------------------\nOd: Anna <a@x.example>\nWysłano: poniedziałek\nDo: Tom\nTemat: x\n\nstary\n", "Ok."},
		{"attribution split before address", "Ok.\n\nOn Mon, Oct 5, 2026 at 10:00 AM Anna Smith\n<anna@x.example> wrote:\n\n> hi\n", "Ok."},
		{"polish pisze", "Dzięki.\n\nW dniu 5.10.2026 o 10:00, Anna <a@x.example> pisze:\n> Cześć\n", "Dzięki."},
		{"polish outlook", "Dzięki.\n\nOd: Anna <a@x.example>\nWysłano: poniedziałek, 5 października 2026 10:00\nDo: Tom\nTemat: x\n\nstary\n", "Dzięki."},
		{"polish apple", "Dzięki.\n\nWiadomość napisana przez Anna <a@x.example> w dniu 05.10.2026, o godz. 10:00:\n\nstary\n", "Dzięki."},
		{"norwegian", "Takk.\n\nDen 5. okt. 2026 kl. 10:00 skrev Anna <a@x.example>:\n> Hei\n", "Takk."},
		{"norwegian outlook", "Takk.\n\nFra: Anna <a@x.example>\nSendt: mandag 5. oktober 2026 10:00\nTil: Tom\nEmne: x\n\ngammel\n", "Takk."},
		{"italian no quote", "Grazie.\n\nIl giorno lun 5 ott 2026 alle ore 10:00 Anna <a@x.example> ha scritto:\n\nvecchio\n", "Grazie."},
		{"french a écrit", "Merci.\n\nLe lun. 5 oct. 2026 à 10:00, Anna <a@x.example> a écrit :\n> Bonjour\n", "Merci."},
		{"french outlook nbsp", "Merci.\n\nDe\u00a0: Anna <a@x.example>\nEnvoyé\u00a0: lundi 5 octobre 2026 10:00\nÀ\u00a0: Tom\nObjet\u00a0: x\n\nvieux\n", "Merci."},
		{"yahoo android one line", "Ok.\n\n  On Mon, Oct 5, 2026 at 9:00, Anna<a@x.example> wrote:   Hello there\n", "Ok."},
		// interleaved
		{"interleaved after attribution", "On Mon, Oct 5, 2026 Anna <a@x.example> wrote:\n> q1\na1\n> q2\na2\n> q3\n", "On Mon, Oct 5, 2026 Anna <a@x.example> wrote:\n> q1\na1\n> q2\na2"},
		{"interleaved then older attribution", "> q1\na1\n\nOn Monday Anna wrote:\n> older\n", "> q1\na1"},
		{"interleaved then sign-off", "> q1\na1\n> q2\n\nSent from my iPhone\n", "> q1\na1"},
		{"interleaved with later attribution interleaved", "On Mon Anna <a@x.example> wrote:\n> q1\na1\nOn Tue Tom <t@x.example> wrote:\n> q2\na2\n", "On Mon Anna <a@x.example> wrote:\n> q1\na1\nOn Tue Tom <t@x.example> wrote:\n> q2\na2"},
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
		// forwards holding the header styles and sign-offs that a reply loses
		"FYI\n\n============ Forwarded message ============\nFrom : A <a@x.example>\nDate : Mon, 05 Oct 2026\n============ Forwarded message ============\n\ncontent\n\n---- On Fri, 02 Oct 2026 09:00:00 +0200 B <b@x.example> wrote ----\n\nolder\n",
		"Zobacz.\n\n---------- Wiadomość przekazana ----------\nOd: A <a@x.example>\nWysłano: poniedziałek\nDo: b@x.example\nTemat: x\n\ntreść\n\nWysłane z iPhone'a\n",
		"Se nedenfor.\n\n---------- Videresendt melding ----------\nFra: A <a@x.example>\nDato: 5. okt. 2026\nEmne: x\nTil: b@x.example\n\ninnhold\n\nDen 4. okt. 2026 kl. 09:00 skrev B <b@x.example>:\n> eldre\n\nSendt fra min iPhone\n",
		"Vedi sotto.\n\n---------- Messaggio inoltrato ---------\nDa: A <a@x.example>\nDate: lun 5 ott 2026\nSubject: x\nTo: b@x.example\n\ncontenuto\n\n-- \nA\n",
		"Pour info.\n\n-------- Message transféré --------\nDe : A <a@x.example>\nEnvoyé : lundi\nÀ : b@x.example\nObjet : x\n\ncontenu\n\nEnvoyé depuis mon iPhone\n",
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

func TestForwardSubjectKeepsNewHeaderStyles(t *testing.T) {
	texts := []string{
		"Pour info.\n\n------------------------------\nDe : A <a@x.example>\nEnvoyé : lundi\nÀ : b@x.example\nObjet : Devis\n\nVoici le devis.\n\nEnvoyé depuis mon iPhone",
		"Przesyłam.\n\n________________________________\nOd: A <a@x.example>\nWysłano: poniedziałek\nDo: b@x.example\nTemat: Umowa\n\nUmowa w załączniku.",
		"See below.\n\n---- On Mon, 05 Oct 2026 10:00:00 +0200 A <a@x.example> wrote ----\n\nthe original",
	}
	for _, text := range texts {
		for _, subj := range []string{"TR: x", "PD: x", "Fwd: x"} {
			if got := chooseVisible(text, nil, subj); got != text {
				t.Errorf("subject %q cut the forward:\n got: %q\nwant: %q", subj, got, text)
			}
		}
	}
}
