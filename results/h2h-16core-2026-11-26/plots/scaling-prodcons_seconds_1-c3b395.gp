# allocbench plot scaling-prodcons_seconds_1-c3b395: run 'gnuplot scaling-prodcons_seconds_1-c3b395.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "scaling-prodcons_seconds_1-c3b395.svg"
set grid
set title "prodcons --seconds 1"
set xlabel "threads"
set ylabel "throughput (M ops/s, median)"
set logscale x 2
set yrange [0:*]
set key outside right top
plot "scaling-prodcons_seconds_1-c3b395.dat" index 0 using 1:2 with linespoints linewidth 1.5 title "glibc", "scaling-prodcons_seconds_1-c3b395.dat" index 1 using 1:2 with linespoints linewidth 1.5 title "jemalloc", "scaling-prodcons_seconds_1-c3b395.dat" index 2 using 1:2 with linespoints linewidth 1.5 title "tcmalloc", "scaling-prodcons_seconds_1-c3b395.dat" index 3 using 1:2 with linespoints linewidth 1.5 title "mimalloc", "scaling-prodcons_seconds_1-c3b395.dat" index 4 using 1:2 with linespoints linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "scaling-prodcons_seconds_1-c3b395.png"
replot
