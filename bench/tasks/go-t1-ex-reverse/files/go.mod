module strs

go 1.19
