package main

import (
	"context"
	"flag"
	"fmt"
	"net/mail"

	"github.com/dargo-support/dargo/store"
)

// staffCommands are dargo staff's subcommands. A removed member stays a
// customer: their tickets and history remain, and the next request from
// any of their sessions is a customer's.
var staffCommands = []command{
	{name: "add", usage: "dargo staff add EMAIL [--admin]", bind: withFlags((*staffAddOpts).flags, runStaffAdd), args: oneArg("EMAIL"),
		doc: "give EMAIL staff rights (or admin rights, with --admin); they sign in by magic link"},
	{name: "remove", usage: "dargo staff remove EMAIL", bind: noFlags(runStaffRemove), args: oneArg("EMAIL"),
		doc: "take EMAIL's staff rights: they stay a customer, from their next request"},
	{name: "list", usage: "dargo staff list", bind: noFlags(runStaffList),
		doc: "print staff and admins, one a line: address and role, separated by a tab"},
}

// staffAddOpts are dargo staff add's flags.
type staffAddOpts struct {
	admin bool
}

func (o *staffAddOpts) flags(fs *flag.FlagSet) {
	fs.BoolVar(&o.admin, "admin", false, "make an admin, not only staff")
}

func runStaffAdd(ctx context.Context, env *Env, o *staffAddOpts, args []string) error {
	role := store.RoleStaff
	if o.admin {
		role = store.RoleAdmin
	}
	return setRole(ctx, env, args[0], role)
}

func runStaffRemove(ctx context.Context, env *Env, args []string) error {
	return setRole(ctx, env, args[0], store.RoleCustomer)
}

// setRole gives the person at email the role, and says so.
func setRole(ctx context.Context, env *Env, email, role string) error {
	a, err := mail.ParseAddress(email)
	if err != nil {
		return usagef("%q is not an email address", email)
	}
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.SetRole(ctx, store.NormalizeEmail(a.Address), role)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s is now %s\n", u.Email, u.Role)
	return nil
}

func runStaffList(ctx context.Context, env *Env, _ []string) error {
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	staff, err := db.Staff(ctx)
	if err != nil {
		return err
	}
	for _, u := range staff {
		fmt.Fprintf(env.Stdout, "%s\t%s\n", u.Email, u.Role)
	}
	return nil
}
