package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dargo-support/dargo/internal/bizhours"
)

// Audit actions of business hours and SLA policies.
const (
	AuditScheduleSave  = "schedule_save"  // detail: schedule, name, zone
	AuditHolidayAdd    = "holiday_add"    // detail: schedule, day, name
	AuditHolidayRemove = "holiday_remove" // detail: schedule, day
	AuditSLAPolicySave = "sla_policy_save"
	AuditSLAPolicyDrop = "sla_policy_delete"
)

// ErrInvalidSLA is a schedule, holiday or policy an admin cannot save;
// its text says what is wrong.
var ErrInvalidSLA = errors.New("store: invalid business hours or SLA policy")

// Schedule is a set of business hours (business_schedules).
type Schedule struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Zone      string    `db:"zone"`
	Week      string    `db:"week"` // bizhours.Week.String
	IsDefault bool      `db:"is_default"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Holiday closes a schedule for a day.
type Holiday struct {
	ID         int64  `db:"id"`
	ScheduleID int64  `db:"schedule_id"`
	Day        string `db:"day"` // YYYY-MM-DD
	Name       string `db:"name"`
}

// SLAPolicy is the targets for tickets of a priority (and category, when
// not ""), in seconds of business time; 0 is no target.
type SLAPolicy struct {
	ID            int64     `db:"id"`
	Priority      string    `db:"priority"`
	Category      string    `db:"category"`
	FirstResponse int64     `db:"first_response"`
	Resolution    int64     `db:"resolution"`
	ScheduleID    *int64    `db:"schedule_id"`
	CreatedAt     time.Time `db:"created_at"`
	UpdatedAt     time.Time `db:"updated_at"`
}

// FirstResponseTarget is the first-response target as a duration.
func (p SLAPolicy) FirstResponseTarget() time.Duration {
	return time.Duration(p.FirstResponse) * time.Second
}

// ResolutionTarget is the resolution target as a duration.
func (p SLAPolicy) ResolutionTarget() time.Duration { return time.Duration(p.Resolution) * time.Second }

// Schedules lists the business hours schedules by name.
func (db *DB) Schedules(ctx context.Context) ([]Schedule, error) {
	var out []Schedule
	if err := db.X.SelectContext(ctx, &out, `SELECT * FROM business_schedules ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("store: schedules: %w", err)
	}
	return out, nil
}

// ScheduleByID returns one schedule.
func (db *DB) ScheduleByID(ctx context.Context, id int64) (*Schedule, error) {
	var s Schedule
	if err := db.X.GetContext(ctx, &s, db.q(`SELECT * FROM business_schedules WHERE id = ?`), id); err != nil {
		return nil, notFound(err, "schedule")
	}
	return &s, nil
}

// Holidays lists a schedule's holidays by date.
func (db *DB) Holidays(ctx context.Context, scheduleID int64) ([]Holiday, error) {
	var out []Holiday
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM business_holidays WHERE schedule_id = ? ORDER BY day`), scheduleID); err != nil {
		return nil, fmt.Errorf("store: holidays: %w", err)
	}
	return out, nil
}

// SaveSchedule creates (ID 0) or updates a schedule, returning its id. The
// zone must load and the week have open hours; a default schedule stops
// the others being default.
func (db *DB) SaveSchedule(ctx context.Context, actorID int64, s Schedule) (int64, error) {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len(s.Name) > 100 {
		return 0, fmt.Errorf("%w: a schedule needs a name of at most 100 characters", ErrInvalidSLA)
	}
	if _, err := time.LoadLocation(s.Zone); err != nil || s.Zone == "" {
		return 0, fmt.Errorf("%w: %q is not a time zone this server knows (like Europe/Berlin)", ErrInvalidSLA, s.Zone)
	}
	week, err := bizhours.ParseWeek(s.Week)
	if err == nil {
		_, err = bizhours.New(time.UTC, week, nil)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %s", ErrInvalidSLA, strings.TrimPrefix(err.Error(), "bizhours: "))
	}
	s.Week = week.String()
	err = db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		var taken int
		if err := tx.GetContext(ctx, &taken, tx.q(`SELECT COUNT(*) FROM business_schedules WHERE name = ? AND id <> ?`), s.Name, s.ID); err != nil {
			return fmt.Errorf("store: save schedule: %w", err)
		}
		if taken > 0 {
			return fmt.Errorf("%w: another schedule is named %q", ErrInvalidSLA, s.Name)
		}
		if s.IsDefault {
			if _, err := tx.ExecContext(ctx, tx.q(`UPDATE business_schedules SET is_default = FALSE WHERE id <> ?`), s.ID); err != nil {
				return fmt.Errorf("store: save schedule: %w", err)
			}
		}
		if s.ID == 0 {
			err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO business_schedules (name, zone, week, is_default, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), s.Name, s.Zone, s.Week, s.IsDefault, now, now).Scan(&s.ID)
		} else {
			var res interface{ RowsAffected() (int64, error) }
			res, err = tx.ExecContext(ctx, tx.q(`UPDATE business_schedules SET name = ?, zone = ?, week = ?, is_default = ?, updated_at = ? WHERE id = ?`),
				s.Name, s.Zone, s.Week, s.IsDefault, now, s.ID)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return fmt.Errorf("store: save schedule: %w", ErrNotFound)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("store: save schedule: %w", err)
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditScheduleSave,
			Detail: map[string]any{"schedule": s.ID, "name": s.Name, "zone": s.Zone, "default": s.IsDefault}})
	})
	return s.ID, err
}

// AddHoliday closes a schedule on a day (YYYY-MM-DD).
func (db *DB) AddHoliday(ctx context.Context, actorID int64, h Holiday) error {
	d, err := bizhours.ParseDate(h.Day)
	if err != nil {
		return fmt.Errorf("%w: %q is not a date like 2026-12-25", ErrInvalidSLA, h.Day)
	}
	h.Day, h.Name = d.String(), strings.TrimSpace(h.Name)
	if h.Name == "" || len(h.Name) > 100 {
		return fmt.Errorf("%w: a holiday needs a name of at most 100 characters", ErrInvalidSLA)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO business_holidays (schedule_id, day, name)
			SELECT id, ?, ? FROM business_schedules WHERE id = ? ON CONFLICT (schedule_id, day) DO NOTHING`), h.Day, h.Name, h.ScheduleID)
		if err != nil {
			return fmt.Errorf("store: add holiday: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %s is a holiday already", ErrInvalidSLA, h.Day)
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditHolidayAdd,
			Detail: map[string]any{"schedule": h.ScheduleID, "day": h.Day, "name": h.Name}})
	})
}

// RemoveHoliday deletes one of a schedule's holidays.
func (db *DB) RemoveHoliday(ctx context.Context, actorID, scheduleID, holidayID int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var day string
		err := tx.QueryRowxContext(ctx, tx.q(`DELETE FROM business_holidays WHERE id = ? AND schedule_id = ? RETURNING day`), holidayID, scheduleID).Scan(&day)
		if err != nil {
			return notFound(err, "remove holiday")
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditHolidayRemove, Detail: map[string]any{"schedule": scheduleID, "day": day}})
	})
}

// SLAPolicies lists the policies by priority (as Priorities orders them),
// the priority-only one before those for a category.
func (db *DB) SLAPolicies(ctx context.Context) ([]SLAPolicy, error) {
	var out []SLAPolicy
	if err := db.X.SelectContext(ctx, &out, `SELECT * FROM sla_policies ORDER BY category, id`); err != nil {
		return nil, fmt.Errorf("store: sla policies: %w", err)
	}
	slices.SortStableFunc(out, func(a, b SLAPolicy) int {
		return slices.Index(Priorities, a.Priority) - slices.Index(Priorities, b.Priority)
	})
	return out, nil
}

// SaveSLAPolicy creates (ID 0) or updates a policy, returning its id.
// Tickets take a changed policy at their next event (a reply, a status,
// priority or category change).
func (db *DB) SaveSLAPolicy(ctx context.Context, actorID int64, p SLAPolicy) (int64, error) {
	p.Category = strings.TrimSpace(p.Category)
	switch {
	case !slices.Contains(Priorities, p.Priority):
		return 0, fmt.Errorf("%w: pick a priority", ErrInvalidSLA)
	case len(p.Category) > 64:
		return 0, fmt.Errorf("%w: a category has at most 64 characters", ErrInvalidSLA)
	case p.FirstResponse < 0 || p.Resolution < 0 || p.FirstResponse == 0 && p.Resolution == 0:
		return 0, fmt.Errorf("%w: set a first-response target, a resolution target, or both", ErrInvalidSLA)
	}
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		var taken int
		if err := tx.GetContext(ctx, &taken, tx.q(`SELECT COUNT(*) FROM sla_policies WHERE priority = ? AND category = ? AND id <> ?`),
			p.Priority, p.Category, p.ID); err != nil {
			return fmt.Errorf("store: save sla policy: %w", err)
		}
		if taken > 0 {
			return fmt.Errorf("%w: there is a policy for %s priority%s already", ErrInvalidSLA, p.Priority, inCategory(p.Category))
		}
		if p.ScheduleID != nil {
			if _, err := tx.db.scheduleRow(ctx, tx, *p.ScheduleID); err != nil {
				return fmt.Errorf("%w: that schedule is gone", ErrInvalidSLA)
			}
		}
		var err error
		if p.ID == 0 {
			err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO sla_policies (priority, category, first_response, resolution, schedule_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), p.Priority, p.Category, p.FirstResponse, p.Resolution, p.ScheduleID, now, now).Scan(&p.ID)
		} else {
			err = tx.QueryRowxContext(ctx, tx.q(`UPDATE sla_policies SET priority = ?, category = ?, first_response = ?, resolution = ?, schedule_id = ?, updated_at = ?
				WHERE id = ? RETURNING id`), p.Priority, p.Category, p.FirstResponse, p.Resolution, p.ScheduleID, now, p.ID).Scan(&p.ID)
		}
		if err != nil {
			return notFound(err, "save sla policy")
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditSLAPolicySave, Detail: map[string]any{"policy": p.ID,
			"priority": p.Priority, "category": p.Category, "first_response": p.FirstResponse, "resolution": p.Resolution}})
	})
	return p.ID, err
}

// DeleteSLAPolicy deletes a policy; its tickets keep their rows until
// their next event.
func (db *DB) DeleteSLAPolicy(ctx context.Context, actorID, id int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.q(`DELETE FROM sla_policies WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("store: delete sla policy: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: delete sla policy: %w", ErrNotFound)
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditSLAPolicyDrop, Detail: map[string]any{"policy": id}})
	})
}

func inCategory(c string) string {
	if c == "" {
		return ""
	}
	return " in " + c
}

func (db *DB) scheduleRow(ctx context.Context, tx *Tx, id int64) (*Schedule, error) {
	var s Schedule
	if err := tx.GetContext(ctx, &s, tx.q(`SELECT * FROM business_schedules WHERE id = ?`), id); err != nil {
		return nil, notFound(err, "schedule")
	}
	return &s, nil
}

// schedule is the business hours a policy counts in: its own schedule,
// else the default one, else around the clock in the desk's zone.
func (db *DB) schedule(ctx context.Context, tx *Tx, id *int64) (*bizhours.Schedule, error) {
	var rows []Schedule
	query, args := `SELECT * FROM business_schedules WHERE is_default = TRUE`, []any{}
	if id != nil {
		query, args = `SELECT * FROM business_schedules WHERE id = ?`, []any{*id}
	}
	if err := tx.SelectContext(ctx, &rows, tx.q(query+` ORDER BY id LIMIT 1`), args...); err != nil {
		return nil, fmt.Errorf("store: sla schedule: %w", err)
	}
	if len(rows) == 0 {
		return bizhours.Always(db.location("")), nil
	}
	var days []string
	if err := tx.SelectContext(ctx, &days, tx.q(`SELECT day FROM business_holidays WHERE schedule_id = ?`), rows[0].ID); err != nil {
		return nil, fmt.Errorf("store: sla schedule: %w", err)
	}
	var holidays []bizhours.Date
	for _, d := range days {
		if h, err := bizhours.ParseDate(d); err == nil {
			holidays = append(holidays, h)
		}
	}
	week, err := bizhours.ParseWeek(rows[0].Week)
	loc := db.location(rows[0].Zone)
	if err != nil {
		return bizhours.Always(loc), nil
	}
	s, err := bizhours.New(loc, week, holidays)
	if err != nil {
		return bizhours.Always(loc), nil
	}
	return s, nil
}
