module autotls.local/go-tls-load

go 1.25
