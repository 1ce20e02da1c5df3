package web

import "github.com/dargo-support/dargo/internal/i18n"

// portalText is what the customer-facing pages say, in every supported
// language (internal/i18n); staff pages stay English.
var portalText = i18n.NewCatalog(portalMessages)

var portalMessages = map[string]i18n.Text{
	"skip":         {En: "Skip to content", De: "Zum Inhalt springen", Fr: "Aller au contenu", Es: "Ir al contenido"},
	"nav.tickets":  {En: "Tickets", De: "Tickets", Fr: "Tickets", Es: "Tickets"},
	"nav.signin":   {En: "Sign in", De: "Anmelden", Fr: "Se connecter", Es: "Iniciar sesión"},
	"nav.logout":   {En: "Log out", De: "Abmelden", Fr: "Se déconnecter", Es: "Cerrar sesión"},
	"foot.privacy": {En: "Privacy policy", De: "Datenschutzerklärung", Fr: "Politique de confidentialité", Es: "Política de privacidad"},
	"foot.terms":   {En: "Terms of service", De: "Nutzungsbedingungen", Fr: "Conditions d'utilisation", Es: "Términos del servicio"},

	"title.Your tickets":     {En: "Your tickets", De: "Ihre Tickets", Fr: "Vos tickets", Es: "Sus tickets"},
	"title.Sign in":          {En: "Sign in", De: "Anmelden", Fr: "Se connecter", Es: "Iniciar sesión"},
	"title.Check your email": {En: "Check your email", De: "Sehen Sie in Ihr Postfach", Fr: "Consultez vos e-mails", Es: "Revise su correo"},
	"title.Your account":     {En: "Your account", De: "Ihr Konto", Fr: "Votre compte", Es: "Su cuenta"},

	"status.open":     {En: "Open", De: "Offen", Fr: "Ouvert", Es: "Abierto"},
	"status.pending":  {En: "Waiting for you", De: "Wartet auf Sie", Fr: "En attente de vous", Es: "Esperando su respuesta"},
	"status.resolved": {En: "Resolved", De: "Gelöst", Fr: "Résolu", Es: "Resuelto"},
	"status.closed":   {En: "Closed", De: "Geschlossen", Fr: "Fermé", Es: "Cerrado"},

	"priority.low":    {En: "low priority", De: "niedrige Priorität", Fr: "priorité basse", Es: "prioridad baja"},
	"priority.normal": {En: "normal priority", De: "normale Priorität", Fr: "priorité normale", Es: "prioridad normal"},
	"priority.high":   {En: "high priority", De: "hohe Priorität", Fr: "priorité haute", Es: "prioridad alta"},
	"priority.urgent": {En: "urgent priority", De: "dringende Priorität", Fr: "priorité urgente", Es: "prioridad urgente"},

	"tickets.new":      {En: "New ticket", De: "Neues Ticket", Fr: "Nouveau ticket", Es: "Nuevo ticket"},
	"tickets.subject":  {En: "Subject", De: "Betreff", Fr: "Objet", Es: "Asunto"},
	"tickets.status":   {En: "Status", De: "Status", Fr: "Statut", Es: "Estado"},
	"tickets.activity": {En: "Last activity", De: "Letzte Aktivität", Fr: "Dernière activité", Es: "Última actividad"},
	"tickets.older":    {En: "Older tickets →", De: "Ältere Tickets →", Fr: "Tickets plus anciens →", Es: "Tickets anteriores →"},
	"tickets.none":     {En: "You have no tickets yet. Mail us, or", De: "Sie haben noch keine Tickets. Schreiben Sie uns eine Mail, oder", Fr: "Vous n'avez pas encore de ticket. Écrivez-nous, ou", Es: "Todavía no tiene tickets. Escríbanos, o"},
	"tickets.openone":  {En: "open one here", De: "eröffnen Sie hier eines", Fr: "ouvrez-en un ici", Es: "abra uno aquí"},

	"ticket.followup":  {En: "Follow-up to", De: "Folgeanfrage zu", Fr: "Suite de", Es: "Continuación de"},
	"ticket.continued": {En: "Continued in", De: "Fortgesetzt in", Fr: "Continué dans", Es: "Continúa en"},
	"ticket.people":    {En: "On this ticket", De: "An diesem Ticket", Fr: "Sur ce ticket", Es: "En este ticket"},
	"ticket.peoplesee": {En: "Each of them sees this ticket here and gets its replies by mail.", De: "Alle sehen dieses Ticket hier und erhalten die Antworten per Mail.", Fr: "Chacun voit ce ticket ici et reçoit ses réponses par e-mail.", Es: "Cada uno ve este ticket aquí y recibe sus respuestas por correo."},
	"ticket.you":       {En: "(you)", De: "(Sie)", Fr: "(vous)", Es: "(usted)"},
	"ticket.opened":    {En: "Opened it", De: "Hat es eröffnet", Fr: "L'a ouvert", Es: "Lo abrió"},
	"ticket.reply":     {En: "Reply", De: "Antworten", Fr: "Répondre", Es: "Responder"},
	"ticket.yours":     {En: "Your reply", De: "Ihre Antwort", Fr: "Votre réponse", Es: "Su respuesta"},
	"ticket.send":      {En: "Send reply", De: "Antwort senden", Fr: "Envoyer la réponse", Es: "Enviar respuesta"},
	"ticket.bymail":    {En: "You can also answer the mails we send you: replies land here.", De: "Sie können auch auf unsere Mails antworten: Die Antworten landen hier.", Fr: "Vous pouvez aussi répondre aux e-mails que nous vous envoyons : les réponses arrivent ici.", Es: "También puede responder a los correos que le enviamos: las respuestas llegan aquí."},

	"login.intro":  {En: "Enter your email address and we will mail you a link that signs you in. No password needed.", De: "Geben Sie Ihre E-Mail-Adresse ein, und wir schicken Ihnen einen Link, mit dem Sie sich anmelden. Kein Passwort nötig.", Fr: "Saisissez votre adresse e-mail et nous vous enverrons un lien de connexion. Aucun mot de passe nécessaire.", Es: "Escriba su dirección de correo y le enviaremos un enlace para iniciar sesión. No hace falta contraseña."},
	"login.email":  {En: "Email address", De: "E-Mail-Adresse", Fr: "Adresse e-mail", Es: "Dirección de correo"},
	"login.submit": {En: "Email me a sign-in link", De: "Anmeldelink per Mail senden", Fr: "M'envoyer un lien de connexion", Es: "Enviarme un enlace de acceso"},
	"login.sent":   {En: "If the address can receive mail, a sign-in link is on its way. It works once, for 15 minutes.", De: "Wenn die Adresse Mail empfangen kann, ist ein Anmeldelink unterwegs. Er funktioniert einmal, 15 Minuten lang.", Fr: "Si l'adresse peut recevoir des e-mails, un lien de connexion est en route. Il fonctionne une fois, pendant 15 minutes.", Es: "Si la dirección puede recibir correo, un enlace de acceso va de camino. Funciona una vez, durante 15 minutos."},
	"login.none":   {En: "Nothing arrived after a few minutes? Look in your spam folder, or", De: "Nach ein paar Minuten nichts angekommen? Sehen Sie im Spam-Ordner nach, oder", Fr: "Rien reçu après quelques minutes ? Regardez dans vos spams, ou", Es: "¿No ha llegado nada en unos minutos? Mire en la carpeta de spam, o"},
	"login.again":  {En: "ask for a new link", De: "fordern Sie einen neuen Link an", Fr: "demandez un nouveau lien", Es: "pida un enlace nuevo"},

	"account.email":            {En: "Email", De: "E-Mail", Fr: "E-mail", Es: "Correo"},
	"account.name":             {En: "Name", De: "Name", Fr: "Nom", Es: "Nombre"},
	"account.role":             {En: "Role", De: "Rolle", Fr: "Rôle", Es: "Rol"},
	"account.data":             {En: "Your data", De: "Ihre Daten", Fr: "Vos données", Es: "Sus datos"},
	"account.export":           {En: "Download my data (JSON)", De: "Meine Daten herunterladen (JSON)", Fr: "Télécharger mes données (JSON)", Es: "Descargar mis datos (JSON)"},
	"account.exportzip":        {En: "with my files (ZIP)", De: "mit meinen Dateien (ZIP)", Fr: "avec mes fichiers (ZIP)", Es: "con mis archivos (ZIP)"},
	"account.yourname":         {En: "Your name", De: "Ihr Name", Fr: "Votre nom", Es: "Su nombre"},
	"account.savename":         {En: "Save name", De: "Name speichern", Fr: "Enregistrer le nom", Es: "Guardar nombre"},
	"account.changeemail":      {En: "Change your email address", De: "E-Mail-Adresse ändern", Fr: "Changer d'adresse e-mail", Es: "Cambiar su dirección de correo"},
	"account.changehint":       {En: "We mail a link to the new address; it changes when you confirm there.", De: "Wir schicken einen Link an die neue Adresse; sie ändert sich, sobald Sie dort bestätigen.", Fr: "Nous envoyons un lien à la nouvelle adresse ; elle change quand vous confirmez.", Es: "Enviamos un enlace a la nueva dirección; cambia cuando la confirme allí."},
	"account.sendlink":         {En: "Send confirmation link", De: "Bestätigungslink senden", Fr: "Envoyer le lien de confirmation", Es: "Enviar enlace de confirmación"},
	"account.erase":            {En: "Erase my data", De: "Meine Daten löschen", Fr: "Effacer mes données", Es: "Borrar mis datos"},
	"account.erasehint":        {En: "We mail you a link to confirm. Your tickets remain as anonymous records.", De: "Wir schicken Ihnen einen Link zur Bestätigung. Ihre Tickets bleiben als anonyme Einträge erhalten.", Fr: "Nous vous envoyons un lien de confirmation. Vos tickets restent sous forme anonyme.", Es: "Le enviamos un enlace para confirmar. Sus tickets quedan como registros anónimos."},
	"account.erasebutton":      {En: "Erase my data…", De: "Meine Daten löschen…", Fr: "Effacer mes données…", Es: "Borrar mis datos…"},
	"account.language":         {En: "Language", De: "Sprache", Fr: "Langue", Es: "Idioma"},
	"account.languagehint":     {En: "The language of our mails to you and of these pages.", De: "Die Sprache unserer Mails an Sie und dieser Seiten.", Fr: "La langue de nos e-mails et de ces pages.", Es: "El idioma de nuestros correos y de estas páginas."},
	"account.languagesave":     {En: "Save language", De: "Sprache speichern", Fr: "Enregistrer la langue", Es: "Guardar idioma"},
	"account.languagesaved":    {En: "Saved: we write to you in %[1]s from now on.", De: "Gespeichert: Wir schreiben Ihnen ab jetzt auf %[1]s.", Fr: "Enregistré : nous vous écrivons désormais en %[1]s.", Es: "Guardado: a partir de ahora le escribimos en %[1]s."},
	"account.choices":          {En: "Your choices", De: "Ihre Einstellungen", Fr: "Vos choix", Es: "Sus preferencias"},
	"account.savechoices":      {En: "Save choices", De: "Einstellungen speichern", Fr: "Enregistrer les choix", Es: "Guardar preferencias"},
	"account.signedin":         {En: "Where you are signed in", De: "Wo Sie angemeldet sind", Fr: "Où vous êtes connecté", Es: "Dónde ha iniciado sesión"},
	"account.logouteverywhere": {En: "Log out everywhere", De: "Überall abmelden", Fr: "Se déconnecter partout", Es: "Cerrar sesión en todas partes"},
	"account.recent":           {En: "Recent sign-ins", De: "Letzte Anmeldungen", Fr: "Connexions récentes", Es: "Inicios de sesión recientes"},
	"account.ended":            {En: "Recently ended", De: "Kürzlich beendet", Fr: "Terminées récemment", Es: "Terminadas recientemente"},
}
