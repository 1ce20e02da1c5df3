package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/mail"

	"github.com/dargo-support/dargo/store"
)

// runStaff adds or removes staff: `dargo staff add EMAIL [--admin]`,
// `dargo staff remove EMAIL`. A removed member stays a customer: their
// tickets and history remain, and the next request from any of their
// sessions is a customer's.
func runStaff(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: dargo staff add EMAIL [--admin] | remove EMAIL | list")
	}
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "list":
		staff, err := db.Staff(ctx)
		if err != nil {
			return err
		}
		for _, u := range staff {
			fmt.Fprintf(env.Stdout, "%s\t%s\n", u.Email, u.Role)
		}
		return nil
	case "add", "remove":
	default:
		return fmt.Errorf("unknown staff command %q: want add, remove or list", args[0])
	}
	fs := flag.NewFlagSet("staff "+args[0], flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	admin := fs.Bool("admin", false, "make an admin (add only)")
	email, err := oneAddress(fs, args[1:])
	if err != nil {
		return err
	}
	role := "staff"
	switch {
	case args[0] == "remove":
		role = "customer"
	case *admin:
		role = "admin"
	}
	u, err := db.SetRole(ctx, email, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s is now %s\n", u.Email, u.Role)
	return nil
}

// oneAddress parses flags around a single email address argument.
func oneAddress(fs *flag.FlagSet, args []string) (string, error) {
	var email string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		args = fs.Args()
		if len(args) > 0 {
			if email != "" {
				return "", errors.New("give one email address")
			}
			email, args = args[0], args[1:]
		}
	}
	a, err := mail.ParseAddress(email)
	if err != nil {
		return "", fmt.Errorf("%q is not an email address", email)
	}
	return store.NormalizeEmail(a.Address), nil
}
