module github.com/bookwell/bookwell/deploy

go 1.26
