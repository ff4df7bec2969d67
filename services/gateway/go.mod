module github.com/bookwell/bookwell/services/gateway

go 1.26
