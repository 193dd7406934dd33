# Helpers the bench scripts share; source it.

# The median of numbers, one per line on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

now() { date +%s.%N; }

# Seconds since a time taken with now.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { print b - a }'; }

# a / b as a ratio such as 1.25x.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
