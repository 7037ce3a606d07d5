# allocbench plot rss-rss_return_peak_128M_t_2-832374: run 'gnuplot rss-rss_return_peak_128M_t_2-832374.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-rss_return_peak_128M_t_2-832374.svg"
set grid
set title "rss-return --peak 128M t=2"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-rss_return_peak_128M_t_2-832374.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-rss_return_peak_128M_t_2-832374.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-rss_return_peak_128M_t_2-832374.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-rss_return_peak_128M_t_2-832374.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-rss_return_peak_128M_t_2-832374.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-rss_return_peak_128M_t_2-832374.png"
replot
