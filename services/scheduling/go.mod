module github.com/bookwell/bookwell/services/scheduling

go 1.26
