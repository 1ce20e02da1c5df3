package store

import (
	"slices"
	"testing"
)

// A function body's own semicolons do not end the migration's statement.
func TestSplitSQLKeepsFunctionBodies(t *testing.T) {
	body := "CREATE TABLE a (id INT);\n" +
		"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    INSERT INTO a VALUES (1);\n    RETURN NULL;\nEND $$;\n" +
		"CREATE TRIGGER t AFTER INSERT ON b FOR EACH ROW EXECUTE FUNCTION f();\n"
	want := []string{
		"CREATE TABLE a (id INT)",
		"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    INSERT INTO a VALUES (1);\n    RETURN NULL;\nEND $$",
		"CREATE TRIGGER t AFTER INSERT ON b FOR EACH ROW EXECUTE FUNCTION f()",
	}
	if got := splitSQL(body); !slices.Equal(got, want) {
		t.Errorf("splitSQL:\n%q\nwant\n%q", got, want)
	}
}
