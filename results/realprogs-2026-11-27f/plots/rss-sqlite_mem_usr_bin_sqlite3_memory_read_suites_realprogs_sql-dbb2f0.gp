# allocbench plot rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0: run 'gnuplot rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.svg"
set grid
set title "sqlite-mem /usr/bin/sqlite3 :memory: .read {suites}/realprogs.sql"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-sqlite_mem_usr_bin_sqlite3_memory_read_suites_realprogs_sql-dbb2f0.png"
replot
