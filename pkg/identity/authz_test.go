package identity

import (
	"context"
	"errors"
	"testing"
)

func TestRequireAdmitsTheRolesAndAdminAndRequireSelfOnlyTheOwner(t *testing.T) {
	as := func(sub string, r Role) context.Context {
		return With(context.Background(), Principal{Subject: sub, Role: r})
	}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"no caller", func() error { _, err := Require(context.Background(), RoleMentor); return err }(), ErrUnauthenticated},
		{"mentor as mentor", func() error { _, err := Require(as("m1", RoleMentor), RoleMentor); return err }(), nil},
		{"mentee as mentor", func() error { _, err := Require(as("e1", RoleMentee), RoleMentor); return err }(), ErrNotAllowedForRole},
		{"admin anywhere", func() error { _, err := Require(as("a1", RoleAdmin), RoleService); return err }(), nil},
		{"admin only", func() error { _, err := Require(as("s1", RoleService)); return err }(), ErrNotAllowedForRole},
		{"own resource", func() error { _, err := RequireSelf(as("m1", RoleMentor), "m1", RoleMentor); return err }(), nil},
		{"another's", func() error { _, err := RequireSelf(as("m2", RoleMentor), "m1", RoleMentor); return err }(), ErrNotYourResource},
		{"wrong role, same id", func() error { _, err := RequireSelf(as("m1", RoleMentee), "m1", RoleMentor); return err }(), ErrNotAllowedForRole},
		{"admin for anyone", func() error { _, err := RequireSelf(as("a1", RoleAdmin), "m1", RoleMentor); return err }(), nil},
	}
	for _, c := range cases {
		if (c.want == nil && c.err != nil) || (c.want != nil && !errors.Is(c.err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
}
