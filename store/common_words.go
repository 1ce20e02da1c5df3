package store

import "strings"

// commonWords are words a person may well be named (or name themselves)
// that also turn up in anybody's text: a name made only of these is never
// replaced in others' messages at erasure. English, German, French,
// Spanish, Italian, Dutch and Portuguese function words, greetings, and the
// vocabulary of support mail. It does not need to be complete: a name is
// only ever replaced as a whole phrase, so a longer name of ordinary words
// matches nothing but itself.
var commonWords = wordSet(`
a an and are as at be but by can do for from has have he her here him his how i if in into is it its me my no not
of on or our out she so some than that the their them then there they this to too up us was we were what when where
which who why will with you your yes ok okay all any one two new old good bad very just also only now please thanks
thank hello hi hey dear regards cheers best kind team support help helpdesk desk service customer client user admin
administrator info information contact sales office mail email address name test ticket request issue problem error
question answer reply note message subject urgent important secret private printer computer laptop phone password
account login order invoice payment bill delivery fire water power
der die das und ist ein eine nicht mit von zu den dem des auf für bitte danke hallo ja nein ich du sie wir ihr
le la les et est un une des du de en au aux pour avec pas oui non merci bonjour je tu il elle nous vous ils elles
el los las y es una por con para sin si gracias hola yo ella nosotros
il lo gli e di da che per con non grazie ciao io
het een en van ik je jij wij zij niet met voor op ja nee dank hallo
o os as um uma por com para não sim obrigado olá eu ele ela nós
`)

func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		out[w] = true
	}
	return out
}
