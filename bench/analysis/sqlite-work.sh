#!/bin/sh
# bench/analysis/sqlite-work.sh N: the SQL workload of SQLite's figures
# (bench/analysis/run) and of its differential test (testsuite/real/):
# N rows inserted through a recursive CTE and printf, an index built, a
# LIKE scan, a GROUP BY with ORDER BY, an UPDATE, sums.  Its output depends
# on every row.
n=${1:?usage: sqlite-work.sh ROWS}
cat <<SQL
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
  INSERT INTO t SELECT i, printf('row %d %x', i, i * 7919), i * 0.5 FROM n;
CREATE INDEX tb ON t(b);
SELECT count(*), sum(c), max(length(b)) FROM t WHERE b LIKE 'row 1%';
SELECT substr(b, 1, 6) AS k, count(*) FROM t GROUP BY k ORDER BY 2 DESC LIMIT 3;
UPDATE t SET c = c * 2 WHERE a % 3 = 0;
SELECT sum(c) FROM t;
SQL
