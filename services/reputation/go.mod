module github.com/bookwell/bookwell/services/reputation

go 1.26
