module dur

go 1.19
