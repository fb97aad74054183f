module mathx

go 1.19
