# allocbench plot scaling-larson_server_seconds_1-f1c2ac: run 'gnuplot scaling-larson_server_seconds_1-f1c2ac.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "scaling-larson_server_seconds_1-f1c2ac.svg"
set grid
set title "larson-server --seconds 1"
set xlabel "threads"
set ylabel "throughput (M ops/s, median)"
set logscale x 2
set yrange [0:*]
set key outside right top
plot "scaling-larson_server_seconds_1-f1c2ac.dat" index 0 using 1:2 with linespoints linewidth 1.5 title "glibc", "scaling-larson_server_seconds_1-f1c2ac.dat" index 1 using 1:2 with linespoints linewidth 1.5 title "jemalloc", "scaling-larson_server_seconds_1-f1c2ac.dat" index 2 using 1:2 with linespoints linewidth 1.5 title "tcmalloc", "scaling-larson_server_seconds_1-f1c2ac.dat" index 3 using 1:2 with linespoints linewidth 1.5 title "mimalloc", "scaling-larson_server_seconds_1-f1c2ac.dat" index 4 using 1:2 with linespoints linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "scaling-larson_server_seconds_1-f1c2ac.png"
replot
