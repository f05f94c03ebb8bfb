# testsuite/shapes/: the random stack-shapes test of issue 9.  gen.py
# writes, per seed, a program of three units and a header (calls across
# units, inline functions in the header, bounded recursion, random frames,
# stack-passed arguments, structs by value, function pointers, varargs,
# libc calls with adversarial inputs); run.sh builds it plain and with the
# plugin at -O0..-Os and runs driver.c's walk (the entry at every 8-byte
# offset below a guard on 1 KiB stacks, LINKSTACK_DEBUG=1): outputs must
# equal the plain build's.  `make check` runs the seeds of seeds.txt
# (under a minute on 2 cores); scripts/shapes runs any range.
TESTS += testsuite/shapes/run.sh
EXTRA_DIST += \
	testsuite/shapes/run.sh \
	testsuite/shapes/gen.py \
	testsuite/shapes/driver.c \
	testsuite/shapes/seeds.txt
