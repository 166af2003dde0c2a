module knowing-scratch/app

go 1.24
