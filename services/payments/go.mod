module github.com/bookwell/bookwell/services/payments

go 1.26
