module sumargs

go 1.19
