-- The sqlite-mem program of the realprogs suite: an in-memory database, so
-- every page and every statement's parse tree is malloc'd. Deterministic data
-- from the row number (no randomblob), so every run does the same work.
PRAGMA cache_size = -65536;
CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v TEXT, n INTEGER);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO t SELECT x, printf('%08x', (x * 2654435761) % 4294967296), printf('%.*c', 20 + x % 200, 'v'), (x * 7919) % 1000 FROM c;
CREATE INDEX t_k ON t(k);
SELECT n, count(*), sum(length(v)) FROM t GROUP BY n ORDER BY 2 DESC LIMIT 5;
SELECT count(*) FROM t a JOIN t b ON a.k = b.k WHERE a.n < 100;
UPDATE t SET v = v || v WHERE n % 3 = 0;
DELETE FROM t WHERE n % 2 = 0;
SELECT length(group_concat(k, ',')) FROM (SELECT k FROM t ORDER BY v LIMIT 20000);
