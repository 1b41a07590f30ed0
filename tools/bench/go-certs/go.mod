module autotls.local/go-certs

go 1.24
