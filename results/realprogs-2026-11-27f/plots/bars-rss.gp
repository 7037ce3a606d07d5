# allocbench plot bars-rss: run 'gnuplot bars-rss.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,1015 dynamic noenhanced font "sans,11" background rgb "white"
set output "bars-rss.svg"
set grid
set title "Peak RSS relative to glibc (lower is better)"
set ylabel "ratio"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set xtics rotate by 90 right nomirror
set key outside right top
set xrange [-0.6:*]
set bmargin 35
plot "bars-rss.dat" using 2:xtic(1) title "glibc", "bars-rss.dat" using 3 title "jemalloc", "bars-rss.dat" using 4 title "tcmalloc", "bars-rss.dat" using 5 title "mimalloc", "bars-rss.dat" using 6 title "segalloc", 1 with lines dashtype 2 linecolor rgb "black" notitle
set terminal pngcairo size 1000,1015 noenhanced font "sans,10" background rgb "white"
set output "bars-rss.png"
replot
