module stats

go 1.19
