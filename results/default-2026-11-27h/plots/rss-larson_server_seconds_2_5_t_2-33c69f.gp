# allocbench plot rss-larson_server_seconds_2_5_t_2-33c69f: run 'gnuplot rss-larson_server_seconds_2_5_t_2-33c69f.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-larson_server_seconds_2_5_t_2-33c69f.svg"
set grid
set title "larson-server --seconds 2.5 t=2"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-larson_server_seconds_2_5_t_2-33c69f.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-larson_server_seconds_2_5_t_2-33c69f.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-larson_server_seconds_2_5_t_2-33c69f.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-larson_server_seconds_2_5_t_2-33c69f.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-larson_server_seconds_2_5_t_2-33c69f.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-larson_server_seconds_2_5_t_2-33c69f.png"
replot
