# allocbench plot rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259: run 'gnuplot rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.svg"
set grid
set title "python-json PYTHONMALLOC=malloc /usr/bin/python3 {suites}/realprogs-alloc.py 1"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-python_json_PYTHONMALLOC_malloc_usr_bin_python3_suites_realp-d5e259.png"
replot
