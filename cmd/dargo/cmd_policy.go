package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dargo-support/dargo/store"
)

// policyCommands publish and list versions of the privacy policy and
// terms. A significant version is announced in the publishing process: its
// broadcast is started and queued there (the workers send the mails),
// every open or pending ticket gets a notice, and signed-in people see a
// banner. Killed at any point, the same command again continues where it
// stopped.
var policyCommands = []command{
	{name: "publish", usage: "dargo policy publish --kind privacy|terms FILE [--significant] [--effective YYYY-MM-DD] [--summary TEXT]",
		bind: withFlags((*publishOpts).flags, publishPolicy), args: oneArg("FILE (- reads stdin)"),
		doc: "publish the next version of the privacy policy or the terms from a Markdown FILE (-: stdin); a significant one is announced by mail, ticket notice and banner, once; killed, the same command resumes"},
	{name: "list", usage: "dargo policy list", bind: noFlags(listPolicies),
		doc: "print every version of both documents, with its state"},
}

// publishOpts are dargo policy publish's flags.
type publishOpts struct {
	kind, effective, summary string
	significant              bool
	batch                    int
	pause                    time.Duration
}

func (o *publishOpts) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.kind, "kind", "", "the document: `privacy|terms` (required)")
	fs.BoolVar(&o.significant, "significant", false, "announce it: mail everyone active, a notice on open tickets, a banner")
	fs.StringVar(&o.effective, "effective", "", "the day it takes effect, `YYYY-MM-DD` (default today, UTC)")
	fs.StringVar(&o.summary, "summary", "", "`TEXT` saying what changed, in a sentence or two (required with --significant)")
	fs.IntVar(&o.batch, "batch", store.DefaultBroadcastBatch, "queue `N` recipients of the announcement per transaction")
	fs.DurationVar(&o.pause, "pause", 0, "wait `D` between batches")
}

func publishPolicy(ctx context.Context, env *Env, o *publishOpts, files []string) error {
	switch {
	case !store.IsPolicyKind(o.kind):
		return usagef("--kind: privacy or terms")
	case o.batch < 1 || o.batch > store.MaxBroadcastBatch:
		return usagef("--batch: want 1 to %d", store.MaxBroadcastBatch)
	}
	np := store.NewPolicy{Kind: o.kind, Summary: o.summary, Significant: o.significant}
	if o.effective != "" {
		day, err := time.Parse(time.DateOnly, o.effective)
		if err != nil {
			return usagef("--effective: want YYYY-MM-DD, got %q", o.effective)
		}
		np.Effective = day
	}
	var err error
	if np.Text, err = readText(env, files[0]); err != nil {
		return err
	}
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	v, resumed, err := db.PublishPolicy(ctx, np)
	var same *store.PolicyUnchangedError
	switch {
	case errors.As(err, &same):
		return fmt.Errorf("version %d of the %s has this text already (published %s); nothing to do",
			same.Version.Version, store.PolicyTitle(same.Version.Kind), same.Version.PublishedAt.UTC().Format("2006-01-02 15:04 UTC"))
	case err != nil:
		return err
	}
	title := store.PolicyTitle(v.Kind)
	if resumed {
		fmt.Fprintf(env.Stdout, "%s version %d has this text and an unfinished announcement: continuing it\n", title, v.Version)
	} else {
		sig := ""
		if v.Significant {
			sig = ", significant"
		}
		fmt.Fprintf(env.Stdout, "published %s version %d, effective %s%s: %s%s\n", title, v.Version, v.EffectiveAt.UTC().Format(time.DateOnly),
			sig, strings.TrimRight(env.Config.BaseURL, "/"), store.PolicyVersionPath(v.Kind, v.Version))
	}
	if !v.Significant {
		return nil
	}
	b, n, err := db.ContinuePolicyPublish(ctx, v.ID, env.Config.BaseURL)
	if err != nil {
		return fmt.Errorf("%w (run the same command again to continue)", err)
	}
	fmt.Fprintf(env.Stdout, "ticket notices: %d open or pending tickets got one now (each ticket gets one once)\n", n)
	fmt.Fprintln(env.Stdout, "banner: shown to people signed in whose accounts are older than this version, until they dismiss it")
	if b.Queued() {
		fmt.Fprintf(env.Stdout, "mail: broadcast %d was queued already: %d mails\n", b.ID, b.QueuedCount)
		return nil
	}
	fmt.Fprintf(env.Stdout, "mail: broadcast %d to %d recipients, queueing from %d\n", b.ID, b.Total, b.QueuedCount)
	if err := queueBroadcast(ctx, env, db, b, o.batch, o.pause); err != nil {
		return fmt.Errorf("%w; or run the same dargo policy publish again", err)
	}
	return nil
}

// readText reads a policy from a file, or stdin for "-".
func readText(env *Env, name string) (string, error) {
	if name == "-" {
		return readAll(env.Stdin)
	}
	b, err := os.ReadFile(name) // #nosec G304 G703 -- the operator names the file on the command line
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// listPolicies prints every version of both documents.
func listPolicies(ctx context.Context, env *Env, _ []string) error {
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	w := tabwriter.NewWriter(env.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tVERSION\tEFFECTIVE\tPUBLISHED\tBY\tSIGNIFICANT\tSTATE\tSUMMARY")
	for _, kind := range store.PolicyKinds {
		s, err := db.Policy(ctx, kind)
		if err != nil {
			return err
		}
		if len(s.Versions) == 0 {
			fmt.Fprintf(w, "%s\t0\t%s\t-\t-\tno\tcurrent (built-in default)\t\n", kind, s.Current.EffectiveAt.UTC().Format(time.DateOnly))
		}
		for _, v := range s.Versions {
			by := "command line"
			if v.PublishedBy != nil {
				by = fmt.Sprintf("user %d", *v.PublishedBy)
			}
			state := "earlier"
			switch {
			case v.Version == s.Current.Version:
				state = "current"
			case v.Version > s.Current.Version:
				state = "upcoming"
			}
			switch {
			case !v.Significant:
			case v.BroadcastID == nil || v.NoticesDoneAt == nil:
				state += ", announcement unfinished (publish the same text again)"
			case !v.Announced():
				state += fmt.Sprintf(", mail queueing (broadcast %d: dargo broadcast --resume %d if it stalls)", *v.BroadcastID, *v.BroadcastID)
			default:
				state += ", announced"
			}
			sig := "no"
			if v.Significant {
				sig = "yes"
			}
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", kind, v.Version, v.EffectiveAt.UTC().Format(time.DateOnly),
				v.PublishedAt.UTC().Format("2006-01-02 15:04"), by, sig, state, strings.Join(strings.Fields(v.Summary), " "))
		}
	}
	return w.Flush()
}
