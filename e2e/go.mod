module github.com/bookwell/bookwell/e2e

go 1.26
