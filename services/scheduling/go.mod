module github.com/bookwell/bookwell/services/scheduling

go 1.26

require (
	github.com/bookwell/bookwell/gen v0.0.0
	github.com/bookwell/bookwell/pkg v0.0.0
)

replace (
	github.com/bookwell/bookwell/gen => ../../gen
	github.com/bookwell/bookwell/pkg => ../../pkg
)
