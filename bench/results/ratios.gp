# written by bench/run; regenerate with: gnuplot ratios.gp
set terminal pngcairo size 960,540
set output 'ratios.png'
set datafile missing '?'
set title "seccomp-patched time relative to the base kernel"
set ylabel "time ratio (1 = same, above 1 = patched slower)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set key outside bottom center horizontal
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5
plot 'ratios.dat' using 2:xtic(1) title "vs seccomp-base, pinned" \
       lc rgb "#1f5fa8", \
     '' using 3 title "vs seccomp-base, unpinned" lc rgb "#8db4e2", \
     '' using 4 title "vs ptrace-base, pinned" lc rgb "#b5532a", \
     '' using 5 title "vs ptrace-base, unpinned" lc rgb "#e8a882"
