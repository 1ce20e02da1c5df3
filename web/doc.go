// Package web is Dargo's HTTP tier. Routes are listed in routes.go, one
// action per handler file, templates embedded and parsed once at start. For
// now it serves the development outbox at /dev/mail; the portal, the staff
// inbox and login arrive with their issues.
package web
