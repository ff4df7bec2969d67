package apperr

import (
	"fmt"
	"strings"
)

// FieldViolation says what is wrong with one field of a request.
type FieldViolation struct {
	Field       string
	Description string
}

// Violations collects what is wrong with a request.
type Violations []FieldViolation

// Add records one problem.
func (v *Violations) Add(field, description string) {
	*v = append(*v, FieldViolation{Field: field, Description: description})
}

// Err returns nil when nothing was recorded, else a *ValidationError.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &ValidationError{Violations: v}
}

// ValidationError is bad input; errors.Is(err, Invalid) matches it.
type ValidationError struct {
	Violations Violations
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = fmt.Sprintf("%s %s", v.Field, v.Description)
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, Invalid) true.
func (e *ValidationError) Is(target error) bool { return target == Invalid }
