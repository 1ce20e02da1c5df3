package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/dargo-support/dargo/inbound"
)

// runDev runs the product on embedded defaults in one process: it migrates
// the database and accepts mail on the SMTP listener until interrupted.
func runDev(ctx context.Context, env *Env, args []string) error {
	if env.Config.Secret == "" {
		env.Log.Warn("DARGO_SECRET is not set: using the fixed development key; never do this in production")
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := net.Listen("tcp", env.Config.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp listener: %w", err)
	}
	srv := inbound.NewSMTPServer(newPipeline(db, env), env.Config.MailDomain, env.Config.MaxMailBytes)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	fmt.Fprintf(env.Stdout, "Dargo dev is running.\n  database: %s\n  SMTP in:  smtp://%s (any recipient @%s)\n  try:      curl smtp://%s --mail-from you@example.com --mail-rcpt support@%s --upload-file mail.eml\n",
		env.Config.DatabaseURL, l.Addr(), env.Config.MailDomain, l.Addr(), env.Config.MailDomain)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	return <-done
}
