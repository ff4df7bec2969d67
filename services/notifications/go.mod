module github.com/bookwell/bookwell/services/notifications

go 1.26
