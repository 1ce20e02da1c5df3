package outbound

import "github.com/dargo-support/dargo/internal/i18n"

// mailText is what customer mails say, in every supported language
// (internal/i18n). Ticket subjects, messages and names are never
// translated; "Re: " and "Fwd: " stay as mail clients thread on them.
var mailText = i18n.NewCatalog(mailMessages)

var mailMessages = map[string]i18n.Text{
	"greet.name": {En: "Hi %[1]s,", De: "Hallo %[1]s,", Fr: "Bonjour %[1]s,", Es: "Hola %[1]s,"},
	"greet":      {En: "Hello,", De: "Guten Tag,", Fr: "Bonjour,", Es: "Hola,"},
	"privacy":    {En: "Privacy policy", De: "Datenschutzerklärung", Fr: "Politique de confidentialité", Es: "Política de privacidad"},
	"terms":      {En: "Terms of service", De: "Nutzungsbedingungen", Fr: "Conditions d'utilisation", Es: "Términos del servicio"},
	"ticket":     {En: "Ticket", De: "Ticket", Fr: "Ticket", Es: "Ticket"},
	"online":     {En: "See it online", De: "Online ansehen", Fr: "Le voir en ligne", Es: "Verlo en línea"},

	"confirm.subject":  {En: "We received your request %[1]s %[2]s", De: "Wir haben Ihre Anfrage erhalten %[1]s %[2]s", Fr: "Nous avons bien reçu votre demande %[1]s %[2]s", Es: "Hemos recibido su solicitud %[1]s %[2]s"},
	"confirm.received": {En: "We received your request and will get back to you soon.", De: "Wir haben Ihre Anfrage erhalten und melden uns bald bei Ihnen.", Fr: "Nous avons bien reçu votre demande et reviendrons vers vous rapidement.", Es: "Hemos recibido su solicitud y le responderemos pronto."},
	"confirm.add":      {En: "To add anything, just reply to this mail: your reply goes into the same ticket.", De: "Wenn Sie etwas ergänzen möchten, antworten Sie einfach auf diese Mail: Ihre Antwort landet im selben Ticket.", Fr: "Pour ajouter quelque chose, répondez simplement à ce mail : votre réponse rejoint le même ticket.", Es: "Para añadir algo, responda a este correo: su respuesta se añade al mismo ticket."},

	"status.resolved": {En: "resolved", De: "gelöst", Fr: "résolue", Es: "resuelta"},
	"status.closed":   {En: "closed", De: "geschlossen", Fr: "fermée", Es: "cerrada"},
	"status.updated":  {En: "updated", De: "aktualisiert", Fr: "mise à jour", Es: "actualizada"},
	"status.set":      {En: "set to %[1]s", De: "auf %[1]s gesetzt", Fr: "passée à %[1]s", Es: "cambiada a %[1]s"},
	"status.subject":  {En: "Your request %[1]s was %[2]s: %[3]s", De: "Ihre Anfrage %[1]s wurde %[2]s: %[3]s", Fr: "Votre demande %[1]s a été %[2]s : %[3]s", Es: "Su solicitud %[1]s ha sido %[2]s: %[3]s"},
	"status.body":     {En: "Your request #%[1]d (%[2]s) was %[3]s.", De: "Ihre Anfrage #%[1]d (%[2]s) wurde %[3]s.", Fr: "Votre demande n°%[1]d (%[2]s) a été %[3]s.", Es: "Su solicitud n.º %[1]d (%[2]s) ha sido %[3]s."},
	"status.reopen":   {En: "If you still need help, reply to this mail and the request reopens.", De: "Wenn Sie noch Hilfe brauchen, antworten Sie auf diese Mail, dann wird die Anfrage wieder geöffnet.", Fr: "Si vous avez encore besoin d'aide, répondez à ce mail et la demande sera rouverte.", Es: "Si todavía necesita ayuda, responda a este correo y la solicitud se reabrirá."},

	"reply.marked":   {En: "We've marked this request as %[1]s. If you still need help, reply to this mail and it reopens.", De: "Wir haben diese Anfrage als %[1]s markiert. Wenn Sie noch Hilfe brauchen, antworten Sie auf diese Mail, dann wird sie wieder geöffnet.", Fr: "Nous avons marqué cette demande comme %[1]s. Si vous avez encore besoin d'aide, répondez à ce mail et elle sera rouverte.", Es: "Hemos marcado esta solicitud como %[1]s. Si todavía necesita ayuda, responda a este correo y se reabrirá."},
	"reply.attached": {En: "Attached: %[1]s", De: "Angehängt: %[1]s", Fr: "Pièces jointes : %[1]s", Es: "Adjuntos: %[1]s"},
	"reply.answer":   {En: "Reply to this mail to answer, or", De: "Antworten Sie auf diese Mail, oder", Fr: "Répondez à ce mail pour répondre, ou", Es: "Responda a este correo para contestar, o"},
	"reply.whole":    {En: "see the whole ticket", De: "sehen Sie sich das ganze Ticket an", Fr: "consultez le ticket complet", Es: "vea el ticket completo"},
	"reply.wrote":    {En: "On %[1]s, %[2]s wrote:", De: "Am %[1]s schrieb %[2]s:", Fr: "Le %[1]s, %[2]s a écrit :", Es: "El %[1]s, %[2]s escribió:"},
	"author.you":     {En: "you", De: "Sie", Fr: "vous", Es: "usted"},
	"author.other":   {En: "the customer", De: "der Kunde", Fr: "le client", Es: "el cliente"},

	"rate.how":   {En: "How did we do?", De: "Wie waren wir?", Fr: "Comment nous sommes-nous débrouillés ?", Es: "¿Qué tal lo hicimos?"},
	"rate.click": {En: "One click tells us:", De: "Ein Klick sagt es uns:", Fr: "Un clic suffit pour nous le dire :", Es: "Un clic nos lo dice:"},
	"rate.good":  {En: "Good", De: "Gut", Fr: "Bien", Es: "Bien"},
	"rate.okay":  {En: "Okay", De: "Geht so", Fr: "Correct", Es: "Regular"},
	"rate.bad":   {En: "Bad", De: "Schlecht", Fr: "Mauvais", Es: "Mal"},

	"autoclose.subject": {En: "This request will close %[1]s unless you reply %[2]s %[3]s", De: "Diese Anfrage wird %[1]s geschlossen, wenn Sie nicht antworten %[2]s %[3]s", Fr: "Cette demande sera fermée %[1]s sans réponse de votre part %[2]s %[3]s", Es: "Esta solicitud se cerrará %[1]s si no responde %[2]s %[3]s"},
	"autoclose.waiting": {En: "We are waiting for your answer on your request #%[1]d (%[2]s).", De: "Wir warten auf Ihre Antwort zu Ihrer Anfrage #%[1]d (%[2]s).", Fr: "Nous attendons votre réponse concernant votre demande n°%[1]d (%[2]s).", Es: "Estamos esperando su respuesta sobre su solicitud n.º %[1]d (%[2]s)."},
	"autoclose.closes":  {En: "This request will close %[1]s unless you reply. If it is sorted, there is nothing to do.", De: "Diese Anfrage wird %[1]s geschlossen, wenn Sie nicht antworten. Wenn alles erledigt ist, müssen Sie nichts tun.", Fr: "Cette demande sera fermée %[1]s sans réponse de votre part. Si tout est réglé, vous n'avez rien à faire.", Es: "Esta solicitud se cerrará %[1]s si no responde. Si ya está resuelta, no tiene que hacer nada."},
	"autoclose.keep":    {En: "To keep it open, reply to this mail.", De: "Damit sie offen bleibt, antworten Sie auf diese Mail.", Fr: "Pour la garder ouverte, répondez à ce mail.", Es: "Para mantenerla abierta, responda a este correo."},
	"in.days":           {En: "in %[1]d days", De: "in %[1]d Tagen", Fr: "dans %[1]d jours", Es: "en %[1]d días"},
	"in.day":            {En: "in 1 day", De: "in 1 Tag", Fr: "dans 1 jour", Es: "en 1 día"},
	"in.hours":          {En: "in %[1]d hours", De: "in %[1]d Stunden", Fr: "dans %[1]d heures", Es: "en %[1]d horas"},
	"in.hour":           {En: "in 1 hour", De: "in 1 Stunde", Fr: "dans 1 heure", Es: "en 1 hora"},

	"merged.subject": {En: "Your request continues as %[1]s %[2]s", De: "Ihre Anfrage geht weiter als %[1]s %[2]s", Fr: "Votre demande continue sous %[1]s %[2]s", Es: "Su solicitud continúa como %[1]s %[2]s"},
	"merged.body":    {En: "Your request %[1]s now continues as #%[2]d (%[3]s), with everything you wrote so far.", De: "Ihre Anfrage %[1]s geht jetzt als #%[2]d (%[3]s) weiter, mit allem, was Sie bisher geschrieben haben.", Fr: "Votre demande %[1]s continue désormais sous le n°%[2]d (%[3]s), avec tout ce que vous avez écrit jusqu'ici.", Es: "Su solicitud %[1]s continúa ahora como n.º %[2]d (%[3]s), con todo lo que ha escrito hasta ahora."},
	"merged.nothing": {En: "Nothing to do: replies to either go to the same place.", De: "Sie müssen nichts tun: Antworten auf beide landen am selben Ort.", Fr: "Vous n'avez rien à faire : les réponses à l'une ou l'autre arrivent au même endroit.", Es: "No tiene que hacer nada: las respuestas a cualquiera de las dos llegan al mismo sitio."},

	"link.subject":        {En: "Your sign-in link", De: "Ihr Anmeldelink", Fr: "Votre lien de connexion", Es: "Su enlace de acceso"},
	"link.use":            {En: "Use this link to sign in:", De: "Mit diesem Link melden Sie sich an:", Fr: "Utilisez ce lien pour vous connecter :", Es: "Use este enlace para iniciar sesión:"},
	"link.button":         {En: "Sign in", De: "Anmelden", Fr: "Se connecter", Es: "Iniciar sesión"},
	"link.invited":        {En: "You are invited to %[1]s", De: "Sie sind zu %[1]s eingeladen", Fr: "Vous êtes invité à rejoindre %[1]s", Es: "Le invitan a %[1]s"},
	"link.email.subject":  {En: "Confirm your new email address", De: "Bestätigen Sie Ihre neue E-Mail-Adresse", Fr: "Confirmez votre nouvelle adresse e-mail", Es: "Confirme su nueva dirección de correo"},
	"link.email.use":      {En: "Use this link to make this your address for %[1]s:", De: "Mit diesem Link wird dies Ihre Adresse bei %[1]s:", Fr: "Utilisez ce lien pour faire de cette adresse la vôtre chez %[1]s :", Es: "Use este enlace para que esta sea su dirección en %[1]s:"},
	"link.email.button":   {En: "Confirm this address", De: "Adresse bestätigen", Fr: "Confirmer cette adresse", Es: "Confirmar esta dirección"},
	"link.erase.subject":  {En: "Confirm erasing your data", De: "Bestätigen Sie das Löschen Ihrer Daten", Fr: "Confirmez l'effacement de vos données", Es: "Confirme el borrado de sus datos"},
	"link.erase.use":      {En: "Use this link to confirm that you want your data erased:", De: "Mit diesem Link bestätigen Sie, dass Ihre Daten gelöscht werden sollen:", Fr: "Utilisez ce lien pour confirmer que vous voulez effacer vos données :", Es: "Use este enlace para confirmar que quiere borrar sus datos:"},
	"link.erase.button":   {En: "Review and confirm", De: "Prüfen und bestätigen", Fr: "Vérifier et confirmer", Es: "Revisar y confirmar"},
	"link.once":           {En: "It works once and expires in %[1]s.", De: "Er funktioniert einmal und läuft in %[1]s ab.", Fr: "Il ne fonctionne qu'une fois et expire dans %[1]s.", Es: "Funciona una sola vez y caduca en %[1]s."},
	"link.15min":          {En: "15 minutes", De: "15 Minuten", Fr: "15 minutes", Es: "15 minutos"},
	"link.7days":          {En: "7 days", De: "7 Tagen", Fr: "7 jours", Es: "7 días"},
	"link.ignore":         {En: "If you didn't ask for this, ignore this mail: nothing happens without the link.", De: "Wenn Sie das nicht angefordert haben, ignorieren Sie diese Mail: Ohne den Link passiert nichts.", Fr: "Si vous n'avez rien demandé, ignorez ce mail : rien ne se passe sans le lien.", Es: "Si no lo ha pedido, ignore este correo: sin el enlace no pasa nada."},
	"link.staff":          {En: "An admin of %[1]s made this address one of its staff: sign in to answer requests in the inbox. When the link has expired, ask for a new one on the sign-in page with this address.", De: "Ein Admin von %[1]s hat diese Adresse zum Team hinzugefügt: Melden Sie sich an, um Anfragen im Posteingang zu beantworten. Ist der Link abgelaufen, fordern Sie auf der Anmeldeseite mit dieser Adresse einen neuen an.", Fr: "Un administrateur de %[1]s a ajouté cette adresse à son équipe : connectez-vous pour répondre aux demandes dans la boîte de réception. Si le lien a expiré, demandez-en un nouveau sur la page de connexion avec cette adresse.", Es: "Un administrador de %[1]s ha añadido esta dirección a su equipo: inicie sesión para responder solicitudes en la bandeja de entrada. Si el enlace ha caducado, pida uno nuevo en la página de acceso con esta dirección."},
	"link.undo.subject":   {En: "Your address was changed", De: "Ihre Adresse wurde geändert", Fr: "Votre adresse a été modifiée", Es: "Su dirección ha cambiado"},
	"link.undo.button":    {En: "Undo the change", De: "Änderung rückgängig machen", Fr: "Annuler la modification", Es: "Deshacer el cambio"},
	"link.undo.changed":   {En: "The address of your account with %[1]s was changed to %[2]s, and every session of the account was signed out.", De: "Die Adresse Ihres Kontos bei %[1]s wurde in %[2]s geändert, und alle Sitzungen des Kontos wurden abgemeldet.", Fr: "L'adresse de votre compte chez %[1]s a été remplacée par %[2]s, et toutes les sessions du compte ont été fermées.", Es: "La dirección de su cuenta en %[1]s se ha cambiado a %[2]s y se han cerrado todas las sesiones de la cuenta."},
	"link.undo.you":       {En: "If that was you, there is nothing to do.", De: "Wenn Sie das waren, müssen Sie nichts tun.", Fr: "Si c'était vous, vous n'avez rien à faire.", Es: "Si fue usted, no tiene que hacer nada."},
	"link.undo.notyou":    {En: "Not you? Undo within %[1]s: this link gives the account back to this address and signs everyone out again.", De: "Nicht Sie? Machen Sie es innerhalb von %[1]s rückgängig: Dieser Link gibt das Konto dieser Adresse zurück und meldet alle wieder ab.", Fr: "Ce n'était pas vous ? Annulez dans les %[1]s : ce lien rend le compte à cette adresse et déconnecte à nouveau tout le monde.", Es: "¿No fue usted? Deshágalo en %[1]s: este enlace devuelve la cuenta a esta dirección y vuelve a cerrar todas las sesiones."},
	"link.undo.erasewait": {En: "It works once. Until it expires, erasing the account also needs a confirmation from this address.", De: "Er funktioniert einmal. Bis er abläuft, braucht das Löschen des Kontos auch eine Bestätigung von dieser Adresse.", Fr: "Il ne fonctionne qu'une fois. Jusqu'à son expiration, effacer le compte demande aussi une confirmation depuis cette adresse.", Es: "Funciona una sola vez. Hasta que caduque, borrar la cuenta también requiere una confirmación desde esta dirección."},
}
